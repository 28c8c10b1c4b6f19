package main

import (
	"fmt"

	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// attachDeployPolicies creates the deploy policy as managed policies under
// deployPolicyPath, which the deploy role may not edit, and attaches them:
// the policy is larger than one managed policy (6,144 characters) or a
// role's inline policies (10,240), and a role carries up to 10 managed ones.
// The cut is computed before the key's ARN is known, from an ARN of the
// same length, so the number of policies is known when they are registered.
func attachDeployPolicies(ctx *pulumi.Context, name string, s settings, a iam.Account, st *State, deploy *awsiam.Role, tags map[string]string, parent pulumi.Resource) error {
	sample := deployPolicy(a, s, stateBucketARN(a, s), a.ARN("kms", "key/00000000-0000-0000-0000-000000000000"))
	parts, err := splitStatements(sample.Statement, iam.ManagedPolicyMaxChars)
	if err != nil {
		return fmt.Errorf("deploy policy: %w", err)
	}
	for i, part := range parts {
		doc := st.KeyArn.ApplyT(func(keyARN string) (string, error) {
			stmts := deployPolicy(a, s, stateBucketARN(a, s), keyARN).Statement
			return iam.New(stmts[part[0]:part[1]]...).JSON()
		}).(pulumi.StringOutput)
		p, err := awsiam.NewPolicy(ctx, fmt.Sprintf("%s-deploy-%d", name, i+1), &awsiam.PolicyArgs{
			Name:        pulumi.Sprintf("deploy-%s-%d", s.AppEnvironment, i+1),
			Path:        pulumi.String(deployPolicyPath),
			Description: pulumi.Sprintf("pulumi up of %s, part %d of %d (bootstrap/deploypolicy.go)", s.AppEnvironment, i+1, len(parts)),
			Policy:      doc,
			Tags:        pulumi.ToStringMap(tags),
		}, pulumi.Parent(parent))
		if err != nil {
			return fmt.Errorf("create deploy policy %d: %w", i+1, err)
		}
		if _, err := awsiam.NewRolePolicyAttachment(ctx, fmt.Sprintf("%s-deploy-%d-attach", name, i+1), &awsiam.RolePolicyAttachmentArgs{
			Role: deploy.Name, PolicyArn: p.Arn,
		}, pulumi.Parent(parent)); err != nil {
			return fmt.Errorf("attach deploy policy %d: %w", i+1, err)
		}
	}
	return nil
}

// maxManagedPoliciesPerRole is IAM's default quota of managed policies
// attached to one role, which the bootstrap's attachments must stay under.
const maxManagedPoliciesPerRole = 10

// splitStatements cuts statements, in order and whole, into runs whose
// documents fit max characters; it returns [start, end) of each run.
func splitStatements(stmts []iam.Statement, max int) ([][2]int, error) {
	var out [][2]int
	for start := 0; start < len(stmts); {
		end := start
		for end < len(stmts) {
			n, err := iam.CompactLen(iam.New(stmts[start : end+1]...))
			if err != nil {
				return nil, err
			}
			if n > max {
				break
			}
			end++
		}
		if end == start {
			return nil, fmt.Errorf("statement %s alone is over %d characters", stmts[start].Sid, max)
		}
		out = append(out, [2]int{start, end})
		start = end
	}
	if len(out) > maxManagedPoliciesPerRole {
		return nil, fmt.Errorf("%d managed policies, more than the %d a role may carry", len(out), maxManagedPoliciesPerRole)
	}
	return out, nil
}
