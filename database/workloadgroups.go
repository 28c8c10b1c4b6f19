package database

import (
	"errors"
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// newWorkloadGroups makes, in a VPC the program creates, one security group
// per workload that reads the database secret: a VPC of the stack's own has
// no group of any workload yet, and without one nothing reaches the
// database. Each group may reach PostgreSQL and the Secrets Manager
// endpoint, and nothing else (no inline rules: the provider removes AWS's
// allow-all egress); the database's and the endpoint's groups admit it. The
// workload's owner puts its tasks, pods or function in the group.
func newWorkloadGroups(ctx *pulumi.Context, name string, workloads []string, sgs securityGroups, vpcID pulumi.StringInput, tags pulumi.StringMap, parent pulumi.Resource) (map[string]pulumi.StringOutput, error) {
	out := map[string]pulumi.StringOutput{}
	if len(workloads) == 0 {
		return out, nil
	}
	if sgs.Database == nil || sgs.Endpoint == nil {
		return nil, errors.New("workload security groups: only in a VPC the program creates, with its database and endpoint")
	}
	for _, w := range workloads {
		g, err := ec2.NewSecurityGroup(ctx, name+"-workload-"+w+"-sg", &ec2.SecurityGroupArgs{
			VpcId:       vpcID,
			Description: pulumi.String("Workload " + w + ": to PostgreSQL and the Secrets Manager endpoint only"),
			Tags:        tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return nil, fmt.Errorf("create security group of workload %s: %w", w, err)
		}
		for _, r := range []rule{
			{name: "workload-" + w + "-to-db", kind: "egress", desc: "workload " + w + " to PostgreSQL", port: PostgresPort, group: g.ID(), peer: sgs.Database.ID()},
			{name: "db-from-workload-" + w, kind: "ingress", desc: "workload " + w + " to PostgreSQL", port: PostgresPort, group: sgs.Database.ID(), peer: g.ID()},
			{name: "workload-" + w + "-to-endpoint", kind: "egress", desc: "workload " + w + " to Secrets Manager", port: 443, group: g.ID(), peer: sgs.Endpoint.ID()},
			{name: "endpoint-from-workload-" + w, kind: "ingress", desc: "workload " + w + " to Secrets Manager", port: 443, group: sgs.Endpoint.ID(), peer: g.ID()},
		} {
			if _, err := ec2.NewSecurityGroupRule(ctx, name+"-"+r.name, &ec2.SecurityGroupRuleArgs{
				Type: pulumi.String(r.kind), Description: pulumi.String(r.desc), Protocol: pulumi.String("tcp"),
				FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port), SecurityGroupId: r.group, SourceSecurityGroupId: r.peer,
			}, pulumi.Parent(parent)); err != nil {
				return nil, fmt.Errorf("create security group rule %s: %w", r.name, err)
			}
		}
		out[w] = g.ID().ToStringOutput()
	}
	return out, nil
}
