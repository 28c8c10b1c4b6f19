package stack_test

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

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/stack"
)

// The simulator drops kms:EncryptionContext:<key> context keys (tools/iamsim
// README), which would make every encryption-context condition vacuous. The
// matrix renames the key to one it evaluates, in policies and requests alike,
// so the condition is really tested.
const accessSimContextKey = "aws:RequestTag/SecretARN"

const (
	accessAllowed = "Allowed"
	accessDenied  = "ImplicitlyDenied"
	// accessUnlistedAccount is a documentation account that no stack lists.
	accessUnlistedAccount = "777788889999"
)

// accessWriteActions are what no reader may do on any secret, its own included.
var accessWriteActions = []string{
	"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret",
	"secretsmanager:PutResourcePolicy", "secretsmanager:DeleteResourcePolicy",
	"secretsmanager:UpdateSecretVersionStage", "secretsmanager:RotateSecret",
	"secretsmanager:TagResource", "secretsmanager:RestoreSecret",
}

// accessOtherKeyActions are every use and management action of a key but Decrypt.
var accessOtherKeyActions = []string{
	"kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext",
	"kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:DescribeKey", "kms:CreateGrant",
	"kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "kms:DisableKey",
}

// accessECSExecutionPolicy models AWS's managed AmazonECSTaskExecutionRolePolicy
// (the simulator has no managed policies): images and logs, no secret or key.
const accessECSExecutionPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[
"ecr:GetAuthorizationToken","ecr:BatchCheckLayerAvailability","ecr:GetDownloadUrlForLayer",
"ecr:BatchGetImage","logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}]}`

// accessConfig is the part of a committed stack file the matrix is derived
// from, read independently of the program's own config package.
type accessConfig struct {
	Workloads []struct {
		Name          string   `json:"name"`
		Type          string   `json:"type"`
		RoleARN       string   `json:"roleArn"`
		Secrets       []string `json:"secrets"`
		InjectAtStart []string `json:"injectAtStart"`
		VersionStage  string   `json:"versionStage"`
	}
	CrossAccount []struct {
		Name      string   `json:"name"`
		AccountID string   `json:"accountId"`
		RoleName  string   `json:"roleName"`
		OrgID     string   `json:"orgId"`
		Secrets   []string `json:"secrets"`
	}
}

// accessWorld is one stack's recording with everything the matrix looks up.
type accessWorld struct {
	name, account, region string
	cfg                   accessConfig
	rec                   *mockrun.Recording
	secretArns            map[string]string // full name -> ARN
	names                 map[string]string // ARN -> full name, for messages
	secretsKey            string
	platformKey           string
	keyPolicies           map[string]iam.Document
	resourcePolicies      map[string]iam.Document // secret ARN -> policy
	workloads             map[string]accessWorkloadOutput
	externals             []accessExternal
}

type accessWorkloadOutput struct {
	RoleArn          string   `json:"roleArn"`
	ExecutionRoleArn string   `json:"executionRoleArn"`
	SecretArns       []string `json:"secretArns"`
	// ReadPolicyArn is an existing role's read policy, which its owner attaches.
	ReadPolicyArn string `json:"readPolicyArn"`
}

func accessDecodeOutput(t *testing.T, rec *mockrun.Recording, name string, v any) {
	t.Helper()
	out, ok := rec.Outputs[name]
	require.True(t, ok, "stack %s: output %s is missing", rec.Stack, name)
	b, err := json.Marshal(out.Value)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), "output %s", name)
}

func loadAccessWorld(t *testing.T, name string) *accessWorld {
	t.Helper()
	st, err := mockrun.LoadStack("..", name)
	require.NoError(t, err)
	return loadAccessWorldOf(t, name, st)
}

func loadAccessWorldOf(t *testing.T, name string, st mockrun.Stack) *accessWorld {
	t.Helper()
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	w := &accessWorld{name: name, rec: rec, account: rec.Account(), region: st.Config["aws:region"],
		names: map[string]string{}, resourcePolicies: map[string]iam.Document{}}
	require.NotEmpty(t, w.account)
	if raw := st.Config[st.Project+":workloads"]; raw != "" {
		require.NoError(t, json.Unmarshal([]byte(raw), &w.cfg.Workloads))
	}
	if raw := st.Config[st.Project+":crossAccount"]; raw != "" {
		require.NoError(t, json.Unmarshal([]byte(raw), &w.cfg.CrossAccount))
	}
	accessDecodeOutput(t, rec, "secretArns", &w.secretArns)
	accessDecodeOutput(t, rec, "secretsKeyArn", &w.secretsKey)
	accessDecodeOutput(t, rec, "platformKeyArn", &w.platformKey)
	accessDecodeOutput(t, rec, "workloads", &w.workloads)
	w.loadExternals(t, st)
	for n, arn := range w.secretArns {
		w.names[arn] = n
	}
	if out, ok := rec.Outputs["databaseMasterSecretArn"]; ok {
		arn := fmt.Sprint(out.Value)
		w.names[arn] = "RDS master secret"
	}
	w.keyPolicies, err = rec.KeyPolicies()
	require.NoError(t, err)
	pols, err := rec.SecretPolicies()
	require.NoError(t, err)
	for _, p := range pols {
		w.resourcePolicies[p.SecretArn] = p.Document
	}
	return w
}

// allSecretArns is every secret of the stack, the RDS-managed one included.
func (w *accessWorld) allSecretArns() []string {
	return slices.Sorted(maps.Keys(w.names))
}

// accessSimDoc marshals a policy for the simulator with the encryption-context key renamed.
func accessSimDoc(t *testing.T, d iam.Document) json.RawMessage {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	return json.RawMessage(strings.ReplaceAll(s, iam.EncryptionContextSecretARN, accessSimContextKey))
}

// accessProbe is one request of the matrix, the answer it must get and the row of
// the summary table it counts in.
type accessProbe struct {
	row  string
	req  testenv.IAMRequest
	want string
}

type accessMatrix struct {
	t      *testing.T
	probes []accessProbe
	// roles are the account/role names whose policies the matrix evaluates;
	// owned are the existing roles' read policies it evaluates, by ARN.
	roles map[string]bool
	owned map[string]bool
}

func (m *accessMatrix) add(row, want string, req testenv.IAMRequest) {
	req.Name = fmt.Sprintf("%s #%d: %s %s", row, len(m.probes), req.Action, req.Resource)
	m.probes = append(m.probes, accessProbe{row: row, req: req, want: want})
}

// accessReader is a principal whose access the matrix checks.
type accessReader struct {
	label, arn, account string
	identity            []json.RawMessage
	context             map[string]any
}

// secretReq asks for a Secrets Manager action on a secret, with its
// resource policy when it has one.
func (w *accessWorld) secretReq(t *testing.T, r accessReader, action, arn string, extra map[string]any) testenv.IAMRequest {
	ctx := maps.Clone(r.context)
	if ctx == nil {
		ctx = map[string]any{}
	}
	maps.Copy(ctx, extra)
	req := testenv.IAMRequest{Principal: r.arn, Action: action, Resource: arn, ResourceAccount: accessAccountOf(arn),
		IdentityPolicies: r.identity, Context: ctx}
	if doc, ok := w.resourcePolicies[arn]; ok {
		req.ResourcePolicy = accessSimDoc(t, doc)
	}
	return req
}

// keyReq asks for a KMS action on a key of w, with w's key policy.
func (w *accessWorld) keyReq(t *testing.T, r accessReader, action, key string, ctx map[string]any) testenv.IAMRequest {
	c := maps.Clone(r.context)
	if c == nil {
		c = map[string]any{}
	}
	maps.Copy(c, ctx)
	return testenv.IAMRequest{Principal: r.arn, Action: action, Resource: key, ResourceAccount: w.account,
		IdentityPolicies: r.identity, ResourcePolicy: accessSimDoc(t, w.keyPolicies[key]), Context: c}
}

// viaSM is the request context of Secrets Manager decrypting secret for caller.
func (w *accessWorld) viaSM(caller, secretArn string) map[string]any {
	return map[string]any{
		"kms:ViaService":    iam.Account{Region: w.region, DNSSuffix: "amazonaws.com"}.ViaSecretsManager(),
		"kms:CallerAccount": caller,
		accessSimContextKey: secretArn,
	}
}

func accessAccountOf(arn string) string {
	parts := strings.Split(arn, ":")
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func accessRoleNameOf(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// identityOf gathers the documents the recording attaches to a role, with the
// managed policies it attaches modelled.
func (w *accessWorld) identityOf(t *testing.T, account, roleArn string) []json.RawMessage {
	t.Helper()
	docs, err := w.rec.PoliciesOfRole(account, accessRoleNameOf(roleArn))
	require.NoError(t, err)
	require.NotEmpty(t, docs, "stack %s: no identity policy found for %s", w.name, roleArn)
	var out []json.RawMessage
	for _, d := range docs {
		out = append(out, accessSimDoc(t, d))
	}
	for _, m := range w.rec.ManagedAttachments() {
		if m.Role == accessRoleNameOf(roleArn) && strings.HasSuffix(m.PolicyArn, "/AmazonECSTaskExecutionRolePolicy") {
			out = append(out, json.RawMessage(accessECSExecutionPolicy))
		}
	}
	return out
}

// attachedByOwner is the read policy the stack creates for an existing role.
func (w *accessWorld) attachedByOwner(t *testing.T, policyArn string) []json.RawMessage {
	t.Helper()
	for _, p := range w.rec.OfType(mockrun.TypePolicy) {
		if p.StateStr("arn") == policyArn {
			doc, err := iam.Parse(p.Str("policy"))
			require.NoError(t, err)
			return []json.RawMessage{accessSimDoc(t, doc)}
		}
	}
	require.Failf(t, "missing read policy", "stack %s: no policy %s", w.name, policyArn)
	return nil
}

// workloadProbes: each role of a workload may read exactly its secrets,
// through Secrets Manager, and nothing else.
func (m *accessMatrix) workloadProbes(w *accessWorld, others []*accessWorld) {
	t := m.t
	for _, wl := range w.cfg.Workloads {
		out, ok := w.workloads[wl.Name]
		require.True(t, ok, "stack %s: workload %s is not exported", w.name, wl.Name)
		mine := wl.Secrets
		roles := []struct {
			label, arn string
			secrets    []string
		}{{wl.Name + " (" + wl.Type + ")", out.RoleArn, mine}}
		if len(wl.InjectAtStart) > 0 {
			require.NotEmpty(t, out.ExecutionRoleArn, "workload %s injects secrets but has no execution role", wl.Name)
			roles = append(roles, struct {
				label, arn string
				secrets    []string
			}{wl.Name + " (ecs execution)", out.ExecutionRoleArn, wl.InjectAtStart})
		} else {
			assert.Empty(t, out.ExecutionRoleArn, "workload %s: execution role made with nothing to inject", wl.Name)
		}
		if wl.Type == "role" {
			assert.Equal(t, wl.RoleARN, out.RoleArn, "workload %s: roleArn output, got/want", wl.Name)
		}
		for _, role := range roles {
			r := accessReader{label: role.label, arn: role.arn, account: w.account}
			if wl.Type == "role" {
				// The stack never changes an existing role: its owner attaches the read policy.
				r.identity = w.attachedByOwner(t, out.ReadPolicyArn)
				m.owned[out.ReadPolicyArn] = true
			} else {
				r.identity = w.identityOf(t, w.account, role.arn)
			}
			m.roles[w.account+"/"+accessRoleNameOf(role.arn)] = true
			var own []string
			for _, n := range role.secrets {
				own = append(own, w.arnOf(n))
			}
			if role.arn == out.RoleArn {
				assert.ElementsMatch(t, own, out.SecretArns, "workload %s: exported secretArns, got/want", wl.Name)
			}
			m.readerProbes(w, others, r, own, wl.VersionStage)
		}
	}
}

// readerProbes is the matrix of one same-account reader.
func (m *accessMatrix) readerProbes(w *accessWorld, others []*accessWorld, r accessReader, own []string, stage string) {
	t := m.t
	row := w.name + " " + r.label
	readStage := map[string]any{"secretsmanager:VersionStage": "AWSCURRENT"}
	m.externalSecretProbes(w, r, own, stage)
	for _, arn := range w.allSecretArns() {
		want := accessDenied
		if slices.Contains(own, arn) {
			want = accessAllowed
		}
		m.add(row+": read", want, w.secretReq(t, r, "secretsmanager:GetSecretValue", arn, readStage))
		m.add(row+": read", want, w.secretReq(t, r, "secretsmanager:DescribeSecret", arn, nil))
		m.add(row+": kms via Secrets Manager", want, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, w.viaSM(w.account, arn)))
	}
	for _, arn := range own {
		for _, a := range accessWriteActions {
			m.add(row+": write/delete own", accessDenied, w.secretReq(t, r, a, arn, nil))
		}
		if stage != "" {
			m.add(row+": read other stage", accessDenied, w.secretReq(t, r, "secretsmanager:GetSecretValue", arn,
				map[string]any{"secretsmanager:VersionStage": "AWSPENDING"}))
			m.add(row+": read other stage", accessDenied, w.secretReq(t, r, "secretsmanager:GetSecretValue", arn, nil))
		}
		direct := w.viaSM(w.account, arn)
		delete(direct, "kms:ViaService")
		m.add(row+": kms direct/other service", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, direct))
		other := w.viaSM(w.account, arn)
		other["kms:ViaService"] = "ssm." + w.region + ".amazonaws.com"
		m.add(row+": kms direct/other service", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, other))
		for _, a := range accessOtherKeyActions {
			m.add(row+": other key actions", accessDenied, w.keyReq(t, r, a, w.secretsKey, w.viaSM(w.account, arn)))
		}
		m.add(row+": other key actions", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.platformKey, w.viaSM(w.account, arn)))
	}
	for _, o := range others {
		for _, arn := range o.allSecretArns() {
			m.add(row+": other environment", accessDenied, o.secretReq(t, r, "secretsmanager:GetSecretValue", arn, readStage))
			m.add(row+": other environment", accessDenied, o.secretReq(t, r, "secretsmanager:DescribeSecret", arn, nil))
		}
		m.add(row+": other environment", accessDenied, o.keyReq(t, r, "kms:Decrypt", o.secretsKey, o.viaSM(w.account, o.allSecretArns()[0])))
	}
}

// externalProbes: a listed principal may read exactly its shared secrets,
// only when the resource policy and the key policy both allow it; a
// principal of an unlisted account may read nothing, whatever its own
// policies say.
func (m *accessMatrix) externalProbes(w *accessWorld) {
	t := m.t
	var elsewhere []string
	if _, ok := w.rec.Outputs["crossAccountConsumerSideElsewhere"]; ok {
		accessDecodeOutput(t, w.rec, "crossAccountConsumerSideElsewhere", &elsewhere)
	}
	// A consumer account that puts its own identity policy may put any: the
	// matrix gives its role every read it could want, so the resource and key
	// policies alone must keep it to its shared secrets.
	greedy := iam.New(iam.Statement{Effect: iam.Allow,
		Action: iam.Strings{"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "kms:Decrypt"}, Resource: iam.Strings{"*"}})
	for _, ext := range w.cfg.CrossAccount {
		arn := fmt.Sprintf("arn:aws:iam::%s:role/%s", ext.AccountID, ext.RoleName)
		identity := []json.RawMessage{accessSimDoc(t, greedy)}
		if !slices.Contains(elsewhere, arn) {
			identity = w.identityOf(t, ext.AccountID, arn)
		}
		r := accessReader{label: ext.Name + " (account " + ext.AccountID + ")", arn: arn, account: ext.AccountID,
			identity: identity, context: map[string]any{}}
		m.roles[ext.AccountID+"/"+ext.RoleName] = true
		if ext.OrgID != "" {
			r.context["aws:PrincipalOrgID"] = ext.OrgID
		}
		row := w.name + " " + r.label
		var shared []string
		for _, n := range ext.Secrets {
			shared = append(shared, w.secretArns[n])
		}
		for _, s := range w.allSecretArns() {
			want := accessDenied
			if slices.Contains(shared, s) {
				want = accessAllowed
			}
			m.add(row+": read", want, w.secretReq(t, r, "secretsmanager:GetSecretValue", s, nil))
			m.add(row+": read", want, w.secretReq(t, r, "secretsmanager:DescribeSecret", s, nil))
			m.add(row+": kms via Secrets Manager", want, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, w.viaSM(ext.AccountID, s)))
		}
		for _, s := range shared {
			for _, a := range accessWriteActions {
				m.add(row+": write/delete own", accessDenied, w.secretReq(t, r, a, s, nil))
			}
			// Each of the three grants is needed: take one away and the read fails.
			noResourcePolicy := w.secretReq(t, r, "secretsmanager:GetSecretValue", s, nil)
			noResourcePolicy.ResourcePolicy = nil
			m.add(row+": needs all three grants", accessDenied, noResourcePolicy)
			noKeyGrant := w.keyReq(t, r, "kms:Decrypt", w.secretsKey, w.viaSM(ext.AccountID, s))
			noKeyGrant.ResourcePolicy = accessSimDoc(t, accessWithoutPrincipal(w.keyPolicies[w.secretsKey], arn))
			m.add(row+": needs all three grants", accessDenied, noKeyGrant)
			noIdentity := w.secretReq(t, r, "secretsmanager:GetSecretValue", s, nil)
			noIdentity.IdentityPolicies = nil
			m.add(row+": needs all three grants", accessDenied, noIdentity)
			if ext.OrgID != "" {
				otherOrg := map[string]any{"aws:PrincipalOrgID": "o-zzzzzzzzzz"}
				m.add(row+": needs all three grants", accessDenied, w.secretReq(t, r, "secretsmanager:GetSecretValue", s, otherOrg))
				m.add(row+": needs all three grants", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, accessMergeCtx(w.viaSM(ext.AccountID, s), otherOrg)))
			}
			direct := w.viaSM(ext.AccountID, s)
			delete(direct, "kms:ViaService")
			m.add(row+": kms direct/other service", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, direct))
			for _, a := range accessOtherKeyActions {
				m.add(row+": other key actions", accessDenied, w.keyReq(t, r, a, w.secretsKey, w.viaSM(ext.AccountID, s)))
			}
		}
	}
	// A principal of an account no stack lists, with an identity policy that
	// allows it everything it could want: every resource policy and key
	// policy must still turn it away.
	roleName := "messaging-sender"
	if len(w.cfg.CrossAccount) > 0 {
		roleName = w.cfg.CrossAccount[0].RoleName
	}
	r := accessReader{label: "unlisted account " + accessUnlistedAccount, arn: fmt.Sprintf("arn:aws:iam::%s:role/%s", accessUnlistedAccount, roleName),
		account: accessUnlistedAccount, identity: []json.RawMessage{accessSimDoc(t, greedy)}}
	for _, ext := range w.cfg.CrossAccount {
		if ext.OrgID != "" {
			r.context = map[string]any{"aws:PrincipalOrgID": ext.OrgID} // even inside the organization
		}
	}
	row := w.name + " " + r.label
	for _, s := range w.allSecretArns() {
		m.add(row+": read", accessDenied, w.secretReq(t, r, "secretsmanager:GetSecretValue", s, nil))
		m.add(row+": read", accessDenied, w.secretReq(t, r, "secretsmanager:DescribeSecret", s, nil))
		m.add(row+": kms via Secrets Manager", accessDenied, w.keyReq(t, r, "kms:Decrypt", w.secretsKey, w.viaSM(accessUnlistedAccount, s)))
	}
}

func accessMergeCtx(a, b map[string]any) map[string]any {
	out := maps.Clone(a)
	maps.Copy(out, b)
	return out
}

// accessWithoutPrincipal drops the key-policy statements that name principal.
func accessWithoutPrincipal(d iam.Document, principal string) iam.Document {
	out := iam.New()
	for _, st := range d.Statement {
		if st.Principal != nil && slices.Contains(st.Principal.AWS, principal) {
			continue
		}
		out = out.WithStatements(st)
	}
	return out
}

// TestAccessMatrixWithIAMSimulator evaluates, for every committed stack, what
// each workload role and each external principal may do, with the policies
// the stack registers, in the IAM policy simulator
// (@cloud-copilot/iam-simulate; install: npm ci --prefix tools/iamsim).
func TestAccessMatrixWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	worlds := map[string]*accessWorld{}
	for _, n := range names {
		worlds[n] = loadAccessWorld(t, n)
	}
	// The migration example (not a project stack) is judged beside them: it
	// grants external secrets, which no committed stack has.
	worlds[accessExample] = loadAccessWorldOf(t, accessExample, loadExample(t))
	for _, n := range append(names, accessExample) {
		t.Run(n, func(t *testing.T) {
			w := worlds[n]
			var others []*accessWorld
			for _, o := range names {
				if o != n {
					others = append(others, worlds[o])
				}
			}
			m := &accessMatrix{t: t, roles: map[string]bool{}, owned: map[string]bool{}}
			m.workloadProbes(w, others)
			m.externalProbes(w)
			// No reader policy the stack registers escapes the matrix.
			ids, err := w.rec.IdentityPolicies()
			require.NoError(t, err)
			for _, p := range ids {
				if p.Role == "" && p.Resource.Type == mockrun.TypePolicy {
					assert.True(t, m.owned[p.Resource.StateStr("arn")], "%s %s (an existing role's read policy) is not evaluated by the matrix", p.Resource.Type, p.Resource.Name)
					continue
				}
				if strings.Contains(p.Resource.URN, mockrun.TypeWorkload+"$") || strings.Contains(p.Resource.URN, mockrun.TypeSharing+"$") {
					assert.True(t, m.roles[p.Account+"/"+p.Role], "%s %s (role %s in %s) is not evaluated by the matrix", p.Resource.Type, p.Resource.Name, p.Role, p.Account)
				}
			}
			reqs := make([]testenv.IAMRequest, len(m.probes))
			for i, p := range m.probes {
				reqs[i] = p.req
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			decisions, err := sim.Evaluate(ctx, reqs)
			require.NoError(t, err)
			require.Len(t, decisions, len(m.probes))

			type tally struct{ allowed, denied, wrong int }
			rows := map[string]*tally{}
			for i, d := range decisions {
				p := m.probes[i]
				if rows[p.row] == nil {
					rows[p.row] = &tally{}
				}
				require.Empty(t, d.Error, "%s: simulator error", p.req.Name)
				require.Empty(t, d.IgnoredContextKeys, "%s: the simulator ignored context keys, so a condition went untested", p.req.Name)
				if d.Result == accessAllowed {
					rows[p.row].allowed++
				} else {
					rows[p.row].denied++
				}
				if !assert.Equal(t, p.want, d.Result, "%s (principal %s, secret %s): got/want", p.req.Name, p.req.Principal, w.names[p.req.Resource]) {
					rows[p.row].wrong++
				}
			}
			var b strings.Builder
			fmt.Fprintf(&b, "stack %s: %d decisions by the IAM simulator\n%-72s %8s %8s %6s\n", n, len(decisions), "principal: probe", "allowed", "denied", "wrong")
			for _, row := range slices.Sorted(maps.Keys(rows)) {
				tl := rows[row]
				fmt.Fprintf(&b, "%-72s %8d %8d %6d\n", row, tl.allowed, tl.denied, tl.wrong)
			}
			t.Log("\n" + b.String())
			assert.GreaterOrEqual(t, len(decisions), 100, "stack %s: decisions, got/want at least", n)
			assert.NotEmpty(t, w.cfg.Workloads, "stack %s declares no workload", n)
		})
	}
}

// TestCommittedStacksDeclareAccess: staging proves least privilege between
// workloads (at least two with different access) and prod proves sharing
// (at least one secret shared with another account).
func TestCommittedStacksDeclareAccess(t *testing.T) {
	tests := []struct {
		stack         string
		minWorkloads  int
		minSharedWith int
	}{
		{stack: "staging", minWorkloads: 2},
		{stack: "prod", minWorkloads: 1, minSharedWith: 1},
	}
	for _, tt := range tests {
		t.Run(tt.stack, func(t *testing.T) {
			w := loadAccessWorld(t, tt.stack)
			assert.GreaterOrEqual(t, len(w.cfg.Workloads), tt.minWorkloads, "workloads, got/want at least")
			access := map[string]bool{}
			for _, wl := range w.cfg.Workloads {
				access[strings.Join(slices.Sorted(slices.Values(wl.Secrets)), ",")] = true
			}
			if tt.minWorkloads > 1 {
				assert.Greater(t, len(access), 1, "distinct access among workloads, got %v, want more than one", access)
			}
			var shared map[string][]string
			if tt.minSharedWith > 0 {
				accessDecodeOutput(t, w.rec, "crossAccountSecretArns", &shared)
			}
			assert.GreaterOrEqual(t, len(shared), tt.minSharedWith, "principals sharing secrets, got/want at least")
			for name, arns := range shared {
				assert.NotEmpty(t, arns, "principal %s shares no secret", name)
			}
			for _, ext := range w.cfg.CrossAccount {
				assert.NotEqual(t, w.account, ext.AccountID, "principal %s is in the stack's own account", ext.Name)
			}
		})
	}
}

// TestAccessConfigThatWouldGrantTooMuchIsRefused: the stack fails before
// registering anything rather than deploy a grant wider than its config says.
func TestAccessConfigThatWouldGrantTooMuchIsRefused(t *testing.T) {
	tests := []struct {
		name, stack, key, value string
		want                    []string
	}{
		{"sharing the database credentials", "prod", "crossAccount",
			`[{"name":"messaging","accountId":"444455556666","roleName":"messaging-sender","secrets":["/prod/app/database"]}]`,
			[]string{"crossAccount[0].secrets[0]", "/prod/app/database"}},
		{"sharing with the stack's own account", "prod", "crossAccount",
			`[{"name":"self","accountId":"111122223333","roleName":"app","secrets":["/prod/app/stripe"]}]`,
			[]string{"111122223333", "declare a workload"}},
		{"a consumer deploy role in a third account", "prod", "crossAccount",
			`[{"name":"messaging","accountId":"444455556666","roleName":"messaging-sender","secrets":["/prod/app/stripe"],"deployRoleArn":"arn:aws:iam::777788889999:role/deploy"}]`,
			[]string{"777788889999", "444455556666"}},
		{"an existing role of another account as a workload", "staging", "workloads",
			`[{"name":"reporting","type":"role","roleArn":"arn:aws:iam::444455556666:role/reporting-batch","secrets":["/staging/app/stripe"]}]`,
			[]string{"arn:aws:iam::444455556666:role/reporting-batch", "account"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := mockrun.LoadStack("..", tt.stack)
			require.NoError(t, err)
			rec, err := mockrun.Run(st.With(tt.key, tt.value), stack.Compose)
			require.Error(t, err, "got no error, want the config refused")
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w, "error, got/want substring")
			}
			// Config errors stop everything; a component's refusal comes after
			// earlier layers, but before any grant of its own.
			for _, r := range rec.Resources {
				granted := r.Type == mockrun.TypeSecretPolicy || strings.Contains(r.URN, mockrun.TypeWorkload+"$") || strings.Contains(r.URN, mockrun.TypeSharing+"$")
				assert.False(t, granted, "a refused config registered %s %s", r.Type, r.Name)
			}
		})
	}
}
