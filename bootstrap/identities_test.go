package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/deploymatrix"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/stack"
)

// The simulator drops kms:EncryptionContext:<key> (tools/iamsim README):
// both keys the policies use are renamed, in policies and requests alike, to
// keys it evaluates (simContextKey is breakglass_test.go's).
const simFunctionContextKey = "aws:RequestTag/LambdaFunctionArn"

func simRename(s string) string {
	s = strings.ReplaceAll(s, iam.EncryptionContextSecretARN, simContextKey)
	return strings.ReplaceAll(s, iam.EncryptionContextFunctionARN, simFunctionContextKey)
}

func simJSON(t *testing.T, d iam.Document) json.RawMessage {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	return json.RawMessage(simRename(s))
}

func simContext(ctx map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range ctx {
		out[simRename(k)] = v
	}
	return out
}

// mainStack is a main-program stack with what its identities are built from.
type mainStack struct {
	name     string
	rec      *mockrun.Recording
	acct     iam.Account
	settings settings
	// consumers maps a consumer deploy role to its principal's config.
	consumers map[string]consumer
}

type consumer struct {
	roleName, orgID string
}

// mainStacks runs every committed stack of the main program and the variants
// of prod that switch on everything it can register.
func mainStacks(t *testing.T) []mainStack {
	t.Helper()
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	var stacks []mockrun.Stack
	for _, n := range names {
		st, err := mockrun.LoadStack("..", n)
		require.NoError(t, err)
		stacks = append(stacks, st)
		if n == "prod" {
			variants, err := mockrun.Variants(st)
			require.NoError(t, err)
			stacks = append(stacks, variants...)
		}
	}
	require.Greater(t, len(stacks), len(names), "the variants of prod are among the stacks")
	var out []mainStack
	for _, st := range stacks {
		rec, err := mockrun.Run(st, stack.Compose)
		require.NoError(t, err, "stack %s", st.Name)
		env := st.Config[st.Project+":environment"]
		if env == "" {
			env = st.Name
		}
		m := mainStack{name: st.Name, rec: rec, consumers: map[string]consumer{},
			acct: iam.Account{ID: rec.Account(), Partition: "aws", Region: st.Config["aws:region"], DNSSuffix: "amazonaws.com"}}
		var cross []struct {
			RoleName, OrgID, DeployRoleArn string
		}
		if raw := st.Config[st.Project+":crossAccount"]; raw != "" {
			require.NoError(t, json.Unmarshal([]byte(raw), &cross))
		}
		for _, c := range cross {
			if c.DeployRoleArn != "" {
				m.settings.ConsumerRoleARNs = append(m.settings.ConsumerRoleARNs, c.DeployRoleArn)
				m.consumers[c.DeployRoleArn] = consumer{roleName: c.RoleName, orgID: c.OrgID}
			}
		}
		m.settings.AppEnvironment, m.settings.AppStack, m.settings.Backend = env, st.Name, "s3"
		// The bootstrap of a stack with replicas names its replica regions.
		for _, r := range rec.Resources {
			if r.Region != "" && r.Region != m.acct.Region && !slices.Contains(m.settings.ReplicaRegions, r.Region) {
				m.settings.ReplicaRegions = append(m.settings.ReplicaRegions, r.Region)
			}
		}
		m.settings.BucketName = "acme-secrets-platform-state-" + m.acct.ID
		out = append(out, m)
	}
	return out
}

// deployDocs are the deploy role's policies as the bootstrap attaches them.
func (m mainStack) deployDocs(t *testing.T) []json.RawMessage {
	t.Helper()
	doc := deployPolicy(m.acct, m.settings, stateBucketARN(m.acct, m.settings), m.acct.ARN("kms", "key/00000000-0000-0000-0000-000000000000"))
	parts, err := splitStatements(doc.Statement, iam.ManagedPolicyMaxChars)
	require.NoError(t, err)
	var out []json.RawMessage
	for _, p := range parts {
		out = append(out, simJSON(t, iam.New(doc.Statement[p[0]:p[1]]...)))
	}
	return out
}

func (m mainStack) previewDoc(t *testing.T) json.RawMessage {
	t.Helper()
	doc, err := previewPolicy(m.acct, m.settings, stateBucketARN(m.acct, m.settings), m.acct.ARN("kms", "key/00000000-0000-0000-0000-000000000000"))
	require.NoError(t, err)
	return simJSON(t, doc)
}

// probe is one simulator question with the answer the proofs expect.
type probe struct {
	// row groups probes in the summary: role and resource type.
	row     string
	req     testenv.IAMRequest
	allowed bool
	// why is the gap's reason when allowed is false.
	why string
}

// evaluate asks the simulator and returns the decisions by row, failing the
// test on every answer that differs from the expectation.
func evaluate(t *testing.T, sim *testenv.IAMSim, probes []probe) (decided, wrong int, rows map[string][2]int) {
	t.Helper()
	reqs := make([]testenv.IAMRequest, len(probes))
	for i, p := range probes {
		reqs[i] = p.req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	got, err := sim.Evaluate(ctx, reqs)
	require.NoError(t, err)
	rows = map[string][2]int{}
	for i, d := range got {
		p := probes[i]
		require.Empty(t, d.Error, "%s: simulator error", p.req.Name)
		require.Empty(t, d.IgnoredContextKeys, "%s: the simulator ignored context keys %v, so a condition went untested", p.req.Name, d.IgnoredContextKeys)
		r := rows[p.row]
		if d.Result == allowed {
			r[0]++
		} else {
			r[1]++
		}
		rows[p.row] = r
		want := "denied (" + p.why + ")"
		if p.allowed {
			want = allowed
		}
		if !assert.Equal(t, p.allowed, d.Result == allowed, "%s: got %s, want %s", p.req.Name, d.Result, want) {
			wrong++
		}
	}
	return len(got), wrong, rows
}

// TestEveryRegisteredTypeHasAMatrixRow: every resource type of every
// committed stack, of the variants that switch everything on and of every
// bootstrap stack is in the deployability matrix, which is well formed.
func TestEveryRegisteredTypeHasAMatrixRow(t *testing.T) {
	require.NoError(t, deploymatrix.Validate(deploymatrix.Rows()))
	types := map[string]string{}
	for _, m := range mainStacks(t) {
		for _, r := range m.rec.Resources {
			if r.Custom {
				types[r.Type] = m.name
			}
		}
	}
	for name, rec := range bootstrapStacks(t) {
		for _, r := range rec.Resources {
			if r.Custom {
				types[r.Type] = "bootstrap " + name
			}
		}
	}
	for _, typ := range slices.Sorted(maps.Keys(types)) {
		_, ok := deploymatrix.Lookup(typ)
		assert.True(t, ok, "%s (registered by %s) has no row in internal/deploymatrix: add the provider's calls for it, with their source", typ, types[typ])
	}
	t.Logf("%d registered types, %d matrix rows", len(types), len(deploymatrix.Rows()))
}

// TestCommittedStacksMatchTheirBootstrap: each committed main stack has the
// bootstrap stack of its account, for its environment, and that bootstrap
// lets the deploy role assume every consumer deploy role the stack names.
func TestCommittedStacksMatchTheirBootstrap(t *testing.T) {
	boots := map[string]mockrun.Stack{}
	names, err := mockrun.StackNames(".")
	require.NoError(t, err)
	for _, n := range names {
		boots[n] = loadSettings(t, n)
	}
	for _, m := range mainStacks(t) {
		if strings.Contains(m.name, "+") {
			continue
		}
		var match *mockrun.Stack
		for _, b := range boots {
			if accountID(b) == m.acct.ID && b.Config["secrets-platform-bootstrap:appEnvironment"] == m.settings.AppEnvironment {
				match = &b
			}
		}
		require.NotNil(t, match, "stack %s: no bootstrap stack for account %s, environment %s", m.name, m.acct.ID, m.settings.AppEnvironment)
		var consumerRoles []string
		if raw := match.Config["secrets-platform-bootstrap:consumerDeployRoleArns"]; raw != "" {
			require.NoError(t, json.Unmarshal([]byte(raw), &consumerRoles))
		}
		for _, r := range m.settings.ConsumerRoleARNs {
			assert.Contains(t, consumerRoles, r, "stack %s names consumer deploy role %s; its bootstrap must list it", m.name, r)
		}
		var replicaRegions []string
		if raw := match.Config["secrets-platform-bootstrap:replicaRegions"]; raw != "" {
			require.NoError(t, json.Unmarshal([]byte(raw), &replicaRegions))
		}
		for _, r := range m.settings.ReplicaRegions {
			assert.Contains(t, replicaRegions, r, "stack %s replicates to %s; its bootstrap must list it in replicaRegions (the deploy role and the boundary reach no other region)", m.name, r)
		}
	}
}

// TestIdentitiesWithIAMSimulator proves, for every resource of every
// committed stack and of the variants: the deploy role may make each call of
// the resource's matrix row on the resource's ARN with the context the call
// carries; the preview role may make each read; the consumer deploy role may
// make its part in the other account, and the deploy role may assume it.
// Calls in gaps() must be denied. KMS calls are decided with the stack's own
// key policies.
func TestIdentitiesWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	var report strings.Builder
	for _, m := range mainStacks(t) {
		t.Run(m.name, func(t *testing.T) {
			keys, err := m.rec.KeyPolicies()
			require.NoError(t, err)
			deploy := m.acct.GlobalARN("iam", "role/"+deployRoleName)
			preview := m.acct.GlobalARN("iam", "role/"+previewRoleName)
			deployDocs, previewDoc := m.deployDocs(t), m.previewDoc(t)
			var probes []probe
			add := func(row, principal, account string, identity []json.RawMessage, r deploymatrix.Request, gapRole string) {
				req := testenv.IAMRequest{
					Name:      fmt.Sprintf("%s %s %s on %s (%s)", principal[strings.LastIndex(principal, "/")+1:], r.Action, r.Name, r.Resource, r.Phases),
					Principal: principal, Action: r.Action, Resource: r.Resource, ResourceAccount: account,
					IdentityPolicies: identity, Context: simContext(r.Context),
				}
				if r.KeyARN != "" {
					if kp, ok := keys[r.KeyARN]; ok {
						req.ResourcePolicy = simJSON(t, kp)
					}
				}
				g, isGap := gapFor(gapRole, r.Type, r.Action, r.Phases)
				probes = append(probes, probe{row: row, req: req, allowed: !isGap, why: g.why})
			}
			for _, res := range m.rec.Resources {
				if !res.Custom {
					continue
				}
				row, ok := deploymatrix.Lookup(res.Type)
				require.True(t, ok, "no matrix row for %s", res.Type)
				if row.Deployer != deploymatrix.Program {
					continue
				}
				reqs, err := deploymatrix.Expand(m.rec, m.acct, res)
				require.NoError(t, err)
				for _, r := range reqs {
					if r.Account != m.acct.ID {
						// The consumer side, in the consumer's account.
						var assumed string
						for _, p := range m.rec.OfType(mockrun.TypeAWSProvider) {
							if strings.HasPrefix(res.Provider, p.URN+"::") {
								for _, pr := range mustExpand(t, m, p) {
									if pr.Action == "sts:AssumeRole" {
										assumed = pr.Resource
									}
								}
							}
						}
						c, ok := m.consumers[assumed]
						require.True(t, ok, "%s %s is deployed into %s through no known consumer deploy role", res.Type, res.Name, r.Account)
						reading := fmt.Sprintf("arn:aws:iam::%s:role/%s", r.Account, c.roleName)
						doc := simJSON(t, crossaccount.ConsumerDeployPolicy(reading))
						add("consumer deploy "+res.Type, assumed, r.Account, []json.RawMessage{doc}, r, "consumer")
						continue
					}
					if r.Action == "sts:AssumeRole" {
						c, ok := m.consumers[r.Resource]
						require.True(t, ok, "the provider assumes %s, which the stack's config does not name", r.Resource)
						probes = append(probes, m.assumeProbe(t, deploy, r, c, deployDocs))
						continue
					}
					add("deploy "+res.Type, deploy, m.acct.ID, deployDocs, r, deployRoleName)
				}
				for _, r := range reqs {
					if r.Phases.Has(deploymatrix.Read) && r.Account == m.acct.ID {
						add("preview "+res.Type, preview, m.acct.ID, []json.RawMessage{previewDoc}, r, previewRoleName)
					}
				}
			}
			for _, inv := range deploymatrix.Invokes() {
				for _, action := range inv.Actions {
					r := deploymatrix.Request{Type: "invoke", Name: inv.Token, Action: action, Resource: "*", Phases: deploymatrix.CRUD}
					add("deploy invoke", deploy, m.acct.ID, deployDocs, r, deployRoleName)
					add("preview invoke", preview, m.acct.ID, []json.RawMessage{previewDoc}, r, previewRoleName)
				}
			}
			decided, wrong, rows := evaluate(t, sim, probes)
			counts := map[string][2]int{}
			for row, c := range rows {
				who := strings.Fields(row)[0]
				x := counts[who]
				x[0], x[1] = x[0]+c[0], x[1]+c[1]
				counts[who] = x
			}
			line := fmt.Sprintf("stack %-28s %5d decisions: deploy %d allowed/%d denied, preview %d/%d, consumer %d/%d; %d wrong",
				m.name, decided, counts["deploy"][0], counts["deploy"][1], counts["preview"][0], counts["preview"][1],
				counts["consumer"][0], counts["consumer"][1], wrong)
			report.WriteString(line + "\n")
			t.Log(line)
			assert.Positive(t, counts["deploy"][0])
			assert.Positive(t, counts["preview"][0])
			assert.Zero(t, wrong)
		})
	}
	t.Log("\n" + report.String())
}

func mustExpand(t *testing.T, m mainStack, res mockrun.Resource) []deploymatrix.Request {
	t.Helper()
	reqs, err := deploymatrix.Expand(m.rec, m.acct, res)
	require.NoError(t, err)
	return reqs
}

// assumeProbe: the deploy role assumes a consumer deploy role, whose trust
// policy is the one the onboarding runbook gives (crossaccount.ConsumerDeployTrust).
func (m mainStack) assumeProbe(t *testing.T, deploy string, r deploymatrix.Request, c consumer, identity []json.RawMessage) probe {
	ctx := simContext(r.Context)
	if c.orgID != "" {
		ctx["aws:PrincipalOrgID"] = c.orgID
	}
	session, _ := r.Context["sts:RoleSessionName"].(string)
	trust := simJSON(t, crossaccount.ConsumerDeployTrust(deploy, session, c.orgID))
	return probe{row: "consumer assume", allowed: true, req: testenv.IAMRequest{
		Name:      fmt.Sprintf("%s sts:AssumeRole %s as %s", deployRoleName, r.Resource, session),
		Principal: deploy, Action: "sts:AssumeRole", Resource: r.Resource, ResourceAccount: iam.AccountOf(r.Resource),
		IdentityPolicies: identity, ResourcePolicy: trust, Context: ctx,
	}}
}
