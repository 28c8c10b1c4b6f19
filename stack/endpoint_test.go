package stack_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// ownerChange is one entry of the changesForResourceOwners output.
type ownerChange struct {
	Resource, Change, Command string
}

func ownerChanges(t *testing.T, rec *mockrun.Recording) []ownerChange {
	t.Helper()
	var out []ownerChange
	o, ok := rec.Outputs["changesForResourceOwners"]
	require.True(t, ok, "got no changesForResourceOwners output")
	require.NoError(t, o.Decode(&out))
	return out
}

func outputString(t *testing.T, rec *mockrun.Recording, name string) string {
	t.Helper()
	o, ok := rec.Outputs[name]
	require.True(t, ok, "got no output %s", name)
	var s string
	require.NoError(t, o.Decode(&s))
	return s
}

// rulesOf lists the security-group rules the database component registered,
// by logical name.
func rulesOf(rec *mockrun.Recording) map[string]mockrun.Resource {
	out := map[string]mockrun.Resource{}
	for _, r := range rec.OfType("aws:ec2/securityGroupRule:SecurityGroupRule") {
		out[r.Name] = r
	}
	return out
}

// TestEndpointModes: a VPC the stack creates keeps its endpoint with private
// DNS and this account's policy; in prod's shared VPC each mode does what its
// config says and nothing beyond, every mode passes every security rule, and
// the rotators are pointed at an endpoint without private DNS by URL.
func TestEndpointModes(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	staging, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)
	const vpc = "vpc-0a1b2c3d4e5f60700"
	tests := []struct {
		name           string
		stack          mockrun.Stack
		creates        bool
		privateDNS     bool
		restricted     bool
		vpcWideIngress bool
		urlPattern     string // "" when the default host name reaches the endpoint
		ownerChanges   int
	}{
		{"a VPC the stack creates", staging, true, true, true, false, "", 0},
		{"shared VPC, created without private DNS (prod as committed)", prod, true, false, false, false,
			`^https://vpce-[0-9a-f]{17}\.secretsmanager\.eu-west-1\.vpce\.amazonaws\.com$`, 0},
		{"shared VPC, created with private DNS", network(t, prod, endpointMode(map[string]any{"mode": "create-with-private-dns", "acknowledgeVpcWidePrivateDns": vpc})),
			true, true, false, true, "", 0},
		{"shared VPC, its existing endpoint", network(t, prod, endpointMode(map[string]any{"mode": "existing", "id": "vpce-0a1b2c3d4e5f60710"})),
			false, false, false, false, `^https://vpce-0a1b2c3d4e5f60710-[0-9a-f]{8}\.secretsmanager\.eu-west-1\.vpce\.amazonaws\.com$`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mockrun.Run(tt.stack, stack.Compose)
			require.NoError(t, err)
			for _, v := range rules.Check(rec) {
				t.Errorf("%s", v)
			}
			eps := rec.OfType("aws:ec2/vpcEndpoint:VpcEndpoint")
			sgRules := rulesOf(rec)
			if !tt.creates {
				assert.Empty(t, eps, "got an endpoint created, want the existing one used")
				_, ok := rec.Named("database-endpoint-sg")
				assert.False(t, ok, "got an endpoint security group, want none for an existing endpoint")
				egress, ok := sgRules["database-rotator-to-endpoint-0"]
				require.True(t, ok, "got no rule from the rotator to the existing endpoint's group")
				assert.Equal(t, "egress", egress.Str("type"))
				assert.Regexp(t, `^sg-[0-9a-f]{17}$`, egress.Str("sourceSecurityGroupId"))
			} else {
				require.Len(t, eps, 1)
				ep := eps[0]
				got, _ := ep.Bool("privateDnsEnabled")
				assert.Equal(t, tt.privateDNS, got, "privateDnsEnabled, got/want")
				var doc iam.Document
				require.NoError(t, ep.JSON("policy", &doc))
				for _, st := range doc.Statement {
					require.NotNil(t, st.Principal)
					if tt.restricted {
						assert.False(t, st.Principal.Any, "statement %s: got the * principal, want this account only", st.Sid)
					} else {
						// In a shared VPC the policy limits nobody: every
						// principal, every Secrets Manager call, every secret.
						assert.True(t, st.Principal.Any && st.Effect == iam.Allow, "statement %s: got %+v, want Allow for every principal", st.Sid, st)
						assert.Equal(t, iam.Strings{"secretsmanager:*"}, st.Action)
						assert.Equal(t, iam.Strings{"*"}, st.Resource)
						assert.Empty(t, st.Condition)
					}
				}
			}
			cidr, ok := sgRules["database-endpoint-from-vpc-0"]
			assert.Equal(t, tt.vpcWideIngress, ok, "ingress from the whole VPC, got/want")
			if ok {
				assert.Equal(t, []string{"10." + strings.Split(cidr.Strings("cidrBlocks")[0], ".")[1] + ".0.0/16"}, cidr.Strings("cidrBlocks"))
				assert.Equal(t, 443, func() int { p, _ := cidr.Int("fromPort"); return p }())
			}
			url := outputString(t, rec, "secretsManagerEndpointUrl")
			if tt.urlPattern == "" {
				assert.Empty(t, url, "endpoint URL, got/want none where private DNS serves")
			} else {
				assert.Regexp(t, tt.urlPattern, url)
			}
			changes := ownerChanges(t, rec)
			assert.Len(t, changes, tt.ownerChanges, "owner changes, got %v", changes)
		})
	}
}

// TestExistingEndpointWaitsForItsOwner: the existing endpoint's security
// group is its owner's. The stack says which rule to add, with the command;
// until config records it, the database secret's rotation is not deployed
// (and says what it waits for), and then it is.
func TestExistingEndpointWaitsForItsOwner(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	st := network(t, prod, endpointMode(map[string]any{"mode": "existing", "id": "vpce-0a1b2c3d4e5f60710"}))
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	rotator := rotMust(t, rec, "database-rotator-sg").StateStr("id")
	changes := ownerChanges(t, rec)
	require.Len(t, changes, 1)
	c := changes[0]
	assert.Contains(t, c.Resource, "of Secrets Manager endpoint vpce-0a1b2c3d4e5f60710 (its owner's)")
	assert.Regexp(t, `^aws ec2 authorize-security-group-ingress --group-id sg-[0-9a-f]{17} --protocol tcp --port 443 --source-group `+rotator+`$`, c.Command)
	egress := rulesOf(rec)["database-rotator-to-endpoint-0"]
	assert.Contains(t, c.Command, "--group-id "+egress.Str("sourceSecurityGroupId"), "the owner's rule and the rotator's egress name the same group")

	_, ok := rec.Named("catalog-app-database-rotation")
	assert.False(t, ok, "got the database rotation deployed, want it waiting for the owner's rule")
	var blocked map[string]map[string]string
	require.NoError(t, rec.Outputs["rotationsAwaitingPrerequisite"].Decode(&blocked))
	assert.Equal(t, "changesForResourceOwners", blocked["/prod/app/database"]["waitsFor"])
	assert.Contains(t, blocked["/prod/app/database"]["then"], "database.ownerChangesApplied")

	done, err := mockrun.Run(editJSON(t, st, "database", func(d *map[string]any) { (*d)["ownerChangesApplied"] = true }), stack.Compose)
	require.NoError(t, err)
	rot := rotMust(t, done, "catalog-app-database-rotation")
	now, _ := rot.Bool("rotateImmediately")
	assert.True(t, now, "the database secret's first value is made as soon as its rotator can reach the endpoint")
	for _, v := range rules.Check(done) {
		t.Errorf("%s", v)
	}
	var still map[string]any
	require.NoError(t, done.Outputs["rotationsAwaitingPrerequisite"].Decode(&still))
	assert.NotContains(t, still, "/prod/app/database", "the database rotation still listed as waiting")
}
