package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
)

// managedPolicyModels are the AWS-managed policies the program attaches, as
// AWS publishes them (the simulator has no managed policies): what the
// boundary must let their roles do.
var managedPolicyModels = map[string]iam.Document{
	"service-role/AWSLambdaVPCAccessExecutionRole": iam.New(iam.Statement{Effect: iam.Allow, Resource: iam.Strings{"*"}, Action: iam.Strings{
		"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
		"ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses", "logs:CreateLogStream", "logs:PutLogEvents",
	}}),
	"service-role/AmazonECSTaskExecutionRolePolicy": iam.New(iam.Statement{Effect: iam.Allow, Resource: iam.Strings{"*"}, Action: iam.Strings{
		"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetAuthorizationToken", "ecr:GetDownloadUrlForLayer",
		"logs:CreateLogStream", "logs:PutLogEvents",
	}}),
}

// witness makes a concrete request a statement allows: each wildcard of the
// resource filled, each condition satisfied by its first value.
func witness(st iam.Statement, action, resource string) (string, map[string]any) {
	concrete := func(s string) string { return strings.NewReplacer("*", "x", "?", "X").Replace(s) }
	ctx := map[string]any{}
	for op, keys := range st.Condition {
		for k, vs := range keys {
			if len(vs) == 0 {
				continue
			}
			switch {
			case strings.HasPrefix(op, "StringLike"), strings.HasPrefix(op, "ArnLike"):
				ctx[k] = concrete(vs[0])
			default:
				ctx[k] = vs[0]
			}
		}
	}
	if resource == "*" {
		return "*", ctx
	}
	return concrete(resource), ctx
}

// TestProgramRolesCarryTheBoundary: every role every stack registers carries
// its environment's boundary and is named in the environment, so the deploy
// role can create it; a role registered without it fails here (and the
// deploy role could not create it).
func TestProgramRolesCarryTheBoundary(t *testing.T) {
	for _, m := range mainStacks(t) {
		t.Run(m.name, func(t *testing.T) {
			roles := m.rec.OfType(mockrun.TypeRole)
			require.NotEmpty(t, roles)
			for _, r := range roles {
				assert.Equal(t, iam.BoundaryARN(m.acct, m.settings.AppEnvironment), r.Str("permissionsBoundary"), "role %s: permissions boundary, got/want", r.Str("name"))
				assert.True(t, strings.HasPrefix(r.Str("name"), iam.RolePrefix(m.settings.AppEnvironment)), "role %s is named in the environment", r.Str("name"))
			}
		})
	}
}

// TestBoundaryCoversWhatTheProgramsRolesDo: for every allow statement of
// every role the program creates (and the AWS-managed policies it attaches),
// a request the statement allows is also allowed by the boundary, so the
// boundary takes nothing the program grants. The simulator evaluates the
// boundary as the only identity policy (tools/iamsim passes no boundary);
// AWS allows when both the role's policies and the boundary allow.
func TestBoundaryCoversWhatTheProgramsRolesDo(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	for _, m := range mainStacks(t) {
		t.Run(m.name, func(t *testing.T) {
			keys, err := m.rec.KeyPolicies()
			require.NoError(t, err)
			boundary := simJSON(t, iam.BoundaryPolicy(m.acct, m.settings.AppEnvironment, m.settings.ReplicaRegions...))
			var probes []probe
			for _, role := range m.rec.OfType(mockrun.TypeRole) {
				name := role.Str("name")
				principal := m.acct.GlobalARN("iam", "role/"+name)
				docs, err := m.rec.PoliciesOfRole(m.acct.ID, name)
				require.NoError(t, err)
				for _, att := range m.rec.ManagedAttachments() {
					if att.Role != name {
						continue
					}
					model, ok := managedPolicyModels[strings.TrimPrefix(att.PolicyArn, "arn:aws:iam::aws:policy/")]
					require.True(t, ok, "role %s gets %s, which has no model here", name, att.PolicyArn)
					docs = append(docs, model)
				}
				require.NotEmpty(t, docs, "role %s has a policy", name)
				var own []json.RawMessage
				for _, d := range docs {
					own = append(own, simJSON(t, d))
				}
				for _, d := range docs {
					for _, st := range d.Statement {
						if st.Effect != iam.Allow {
							continue
						}
						for _, action := range st.Action {
							for _, res := range st.Resource {
								// Log events are authorised on the stream; a
								// statement names the group for CreateLogGroup.
								if (action == "logs:CreateLogStream" || action == "logs:PutLogEvents") && strings.Contains(res, ":log-group:") && !strings.Contains(res, ":log-stream:") && res != "*" {
									continue
								}
								arn, ctx := witness(st, action, res)
								req := testenv.IAMRequest{Principal: principal, Action: action, Resource: arn, ResourceAccount: m.acct.ID, Context: simContext(ctx)}
								if kp, ok := keys[arn]; ok {
									req.ResourcePolicy = simJSON(t, kp)
								}
								mine, bounded := req, req
								mine.Name = fmt.Sprintf("%s's own policy: %s %s", name, action, arn)
								mine.IdentityPolicies = own
								bounded.Name = fmt.Sprintf("boundary of %s: %s %s", name, action, arn)
								bounded.IdentityPolicies = []json.RawMessage{boundary}
								probes = append(probes, probe{row: "own", req: mine, allowed: true}, probe{row: "boundary", req: bounded, allowed: true})
							}
						}
					}
				}
			}
			decided, wrong, rows := evaluate(t, sim, probes)
			t.Logf("stack %s: %d decisions (%d allowed by the roles' own policies, %d by the boundary), %d wrong",
				m.name, decided, rows["own"][0], rows["boundary"][0], wrong)
			assert.Zero(t, wrong)
		})
	}
}
