package stack_test

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
)

// accessExample names the migration example's world in the matrix.
const accessExample = "example"

// accessExternal is an external secret of a world, with the statements the
// stack asks its owner to add (externalSecretGrants), which the matrix
// takes as the owner's resource policy and key policy: the read is proven
// with exactly what the stack hands the owner.
type accessExternal struct {
	name, arn, key string
	resourcePolicy iam.Document
	keyPolicy      iam.Document
}

func (w *accessWorld) loadExternals(t *testing.T, st mockrun.Stack) {
	t.Helper()
	var cfg []struct {
		Name      string `json:"name"`
		ARN       string `json:"arn"`
		KmsKeyARN string `json:"kmsKeyArn"`
	}
	if raw := st.Config[st.Project+":externalSecrets"]; raw != "" {
		require.NoError(t, json.Unmarshal([]byte(raw), &cfg))
	}
	var grants map[string]struct {
		SecretArn      string   `json:"secretArn"`
		KmsKeyArn      string   `json:"kmsKeyArn"`
		Readers        []string `json:"readers"`
		ResourcePolicy string   `json:"resourcePolicy"`
		KeyPolicy      string   `json:"keyPolicy"`
	}
	accessDecodeOutput(t, w.rec, "externalSecretGrants", &grants)
	require.ElementsMatch(t, slices.Collect(maps.Keys(grants)), func() []string {
		var names []string
		for _, e := range cfg {
			names = append(names, e.Name)
		}
		return names
	}(), "stack %s: a grant per external secret", w.name)
	for _, e := range cfg {
		g := grants[e.Name]
		require.Equal(t, e.ARN, g.SecretArn)
		require.Equal(t, e.KmsKeyARN, g.KmsKeyArn)
		x := accessExternal{name: e.Name, arn: e.ARN, key: e.KmsKeyARN}
		require.NoError(t, json.Unmarshal([]byte(g.ResourcePolicy), &x.resourcePolicy), "resource policy statement of %s", e.Name)
		require.NoError(t, json.Unmarshal([]byte(g.KeyPolicy), &x.keyPolicy), "key policy statement of %s", e.Name)
		w.externals = append(w.externals, x)
	}
}

// arnOf is a workload secret's ARN: a catalog secret's or an external one's.
func (w *accessWorld) arnOf(name string) string {
	for _, e := range w.externals {
		if e.name == name {
			return e.arn
		}
	}
	return w.secretArns[name]
}

// externalReq asks for an action on an external secret, under the resource
// policy its owner adds for the stack.
func (e accessExternal) secretReq(t *testing.T, r accessReader, action string, ctx map[string]any) testenv.IAMRequest {
	c := maps.Clone(r.context)
	if c == nil {
		c = map[string]any{}
	}
	maps.Copy(c, ctx)
	return testenv.IAMRequest{Principal: r.arn, Action: action, Resource: e.arn, ResourceAccount: accessAccountOf(e.arn),
		IdentityPolicies: r.identity, ResourcePolicy: accessSimDoc(t, e.resourcePolicy), Context: c}
}

// keyReq asks for a KMS action on an external secret's key, under the key
// policy statement its owner adds for the stack (and nothing else of theirs).
func (e accessExternal) keyReq(t *testing.T, r accessReader, action string, ctx map[string]any) testenv.IAMRequest {
	return testenv.IAMRequest{Principal: r.arn, Action: action, Resource: e.key, ResourceAccount: accessAccountOf(e.key),
		IdentityPolicies: r.identity, ResourcePolicy: accessSimDoc(t, e.keyPolicy), Context: maps.Clone(ctx)}
}

// externalSecretProbes: a reader may read exactly the external secrets
// config grants it, through Secrets Manager and only once their owners add
// the statements the stack hands them; nothing else on them, and no other
// use of their keys.
func (m *accessMatrix) externalSecretProbes(w *accessWorld, r accessReader, own []string, stage string) {
	t := m.t
	row := w.name + " " + r.label
	readStage := map[string]any{"secretsmanager:VersionStage": "AWSCURRENT"}
	for _, e := range w.externals {
		want := accessDenied
		if slices.Contains(own, e.arn) {
			want = accessAllowed
		}
		m.add(row+": external read", want, e.secretReq(t, r, "secretsmanager:GetSecretValue", readStage))
		m.add(row+": external read", want, e.secretReq(t, r, "secretsmanager:DescribeSecret", nil))
		m.add(row+": external kms via Secrets Manager", want, e.keyReq(t, r, "kms:Decrypt", w.viaSM(w.account, e.arn)))
		if want == accessDenied {
			continue
		}
		for _, a := range accessWriteActions {
			m.add(row+": external write/delete", accessDenied, e.secretReq(t, r, a, nil))
		}
		if stage != "" {
			m.add(row+": external other stage", accessDenied, e.secretReq(t, r, "secretsmanager:GetSecretValue",
				map[string]any{"secretsmanager:VersionStage": "AWSPENDING"}))
		}
		direct := w.viaSM(w.account, e.arn)
		delete(direct, "kms:ViaService")
		m.add(row+": external kms direct/other secret", accessDenied, e.keyReq(t, r, "kms:Decrypt", direct))
		// The key opens this secret only: another secret under the same key
		// (the owner's own) stays closed.
		m.add(row+": external kms direct/other secret", accessDenied, e.keyReq(t, r, "kms:Decrypt", w.viaSM(w.account, e.arn+"-other")))
		for _, a := range accessOtherKeyActions {
			m.add(row+": external other key actions", accessDenied, e.keyReq(t, r, a, w.viaSM(w.account, e.arn)))
		}
		if accessAccountOf(e.arn) != w.account {
			// Across accounts each side is needed: without the owner's
			// statement, or without the stack's identity policy, no read.
			noOwner := e.secretReq(t, r, "secretsmanager:GetSecretValue", readStage)
			noOwner.ResourcePolicy = nil
			m.add(row+": external needs the owner's grants", accessDenied, noOwner)
			noKeyGrant := e.keyReq(t, r, "kms:Decrypt", w.viaSM(w.account, e.arn))
			// The owner's key policy without the statement: its own IAM decides.
			ownerOnly := iam.New(iam.Statement{Sid: "OwnerIAMDecides", Effect: iam.Allow,
				Principal: &iam.Principal{AWS: iam.Strings{"arn:aws:iam::" + accessAccountOf(e.key) + ":root"}},
				Action:    iam.Strings{"kms:Decrypt"}, Resource: iam.Strings{"*"}})
			noKeyGrant.ResourcePolicy = accessSimDoc(t, ownerOnly)
			m.add(row+": external needs the owner's grants", accessDenied, noKeyGrant)
			noIdentity := e.secretReq(t, r, "secretsmanager:GetSecretValue", readStage)
			noIdentity.IdentityPolicies = nil
			m.add(row+": external needs the owner's grants", accessDenied, noIdentity)
		}
	}
}
