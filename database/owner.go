package database

import (
	"fmt"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// OwnerChange is a change to a resource the program did not create (an
// existing instance's or endpoint's security group). The program never
// makes it: it says what must change and the command the resource's owner
// runs, so that a stack never edits what another team owns.
type OwnerChange struct {
	// Resource names what must change, and whose it is.
	Resource string
	// Change says what must change and why.
	Change pulumi.StringOutput
	// Command is the AWS CLI command that makes the change.
	Command pulumi.StringOutput
}

// Map is the change as a stack output.
func (c OwnerChange) Map() pulumi.Map {
	return pulumi.Map{"resource": pulumi.String(c.Resource), "change": c.Change, "command": c.Command}
}

// ingressFromRotator is the rule an existing group must add so the rotator
// reaches what the group guards.
func ingressFromRotator(resource, group string, port int, what string, rotator pulumi.StringOutput) OwnerChange {
	return OwnerChange{
		Resource: resource,
		Change: rotator.ApplyT(func(sg string) string {
			return fmt.Sprintf("allow TCP %d from security group %s (this stack's rotator) into %s, so the rotator reaches %s", port, sg, group, what)
		}).(pulumi.StringOutput),
		Command: rotator.ApplyT(func(sg string) string {
			return fmt.Sprintf("aws ec2 authorize-security-group-ingress --group-id %s --protocol tcp --port %d --source-group %s", group, port, sg)
		}).(pulumi.StringOutput),
	}
}

// finding is a change the owner of an existing instance should make to meet
// a security rule the program checks on the instances it creates.
func finding(resource, change, command string) OwnerChange {
	return OwnerChange{Resource: resource, Change: pulumi.String(change).ToStringOutput(), Command: pulumi.String(command).ToStringOutput()}
}
