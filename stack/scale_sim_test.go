package stack_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/stack"
)

// scaleSampleOthers is how many secrets outside an identity's own each
// identity is asked about: spread over the catalog, so every rotator is
// asked about other groups' secrets and every workload about others'.
const scaleSampleOthers = 8

// TestGeneratedStackIdentitiesWithIAMSimulator: in the stack of 2,000
// secrets, with the policies it registers, each rotator may rotate and
// encrypt exactly its group's secrets (all of them asked) and none of a
// sample of the others; each workload may read its own secrets and none of
// a sample of the others.
func TestGeneratedStackIdentitiesWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	st := scaleStack(t)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	acct := iam.Account{ID: rec.Account(), Partition: "aws", Region: st.Config["aws:region"], DNSSuffix: "amazonaws.com"}
	policies, err := rec.IdentityPolicies()
	require.NoError(t, err)
	identity := map[string][]json.RawMessage{}
	for _, p := range policies {
		identity[p.Role] = append(identity[p.Role], accessSimDoc(t, p.Document))
	}
	keyPolicies, err := rec.KeyPolicies()
	require.NoError(t, err)
	var secretsKey string
	accessDecodeOutput(t, rec, "secretsKeyArn", &secretsKey)
	var byName map[string]string
	accessDecodeOutput(t, rec, "secretArns", &byName)
	var all []string
	for _, arn := range byName {
		all = append(all, arn)
	}
	slices.Sort(all)
	others := func(own []string, seed int) []string {
		var out []string
		for i := 0; len(out) < scaleSampleOthers && i < len(all); i++ {
			if arn := all[(seed*131+i*257)%len(all)]; !slices.Contains(own, arn) && !slices.Contains(out, arn) {
				out = append(out, arn)
			}
		}
		return out
	}
	via := func(secret string) map[string]any {
		return map[string]any{"kms:ViaService": acct.ViaSecretsManager(), "kms:CallerAccount": acct.ID, accessSimContextKey: secret}
	}

	var probes []workloadProbe
	add := func(row, principal string, docs []json.RawMessage, action, resource, want string, ctx map[string]any) {
		req := testenv.IAMRequest{Name: fmt.Sprintf("%s %s %s", row, action, resource), Principal: principal, Action: action,
			Resource: resource, ResourceAccount: acct.ID, IdentityPolicies: docs, Context: ctx}
		if resource == secretsKey {
			req.ResourcePolicy = accessSimDoc(t, keyPolicies[secretsKey])
		}
		probes = append(probes, workloadProbe{row: row, req: req, want: want})
	}

	// Rotators: a function's own secrets are those Secrets Manager may
	// invoke it for.
	own := map[string][]string{}
	for _, p := range rec.OfType("aws:lambda/permission:Permission") {
		if p.Str("principal") == "secretsmanager.amazonaws.com" {
			own[p.Str("function")] = append(own[p.Str("function")], p.Str("sourceArn"))
		}
	}
	rotators := 0
	for i, fn := range rec.OfType(mockrun.TypeFunction) {
		mine := own[fn.Str("name")]
		require.NotEmpty(t, mine, "rotation function %s serves no secret", fn.Str("name"))
		rotators++
		role := fn.Str("role")
		docs := identity[accessRoleNameOf(role)]
		require.NotEmpty(t, docs, "no policy on %s", role)
		row := "rotator"
		for _, s := range mine {
			add(row+": rotate own", role, docs, "secretsmanager:PutSecretValue", s, accessAllowed, nil)
			add(row+": rotate own", role, docs, "secretsmanager:UpdateSecretVersionStage", s, accessAllowed, nil)
			add(row+": encrypt own", role, docs, "kms:GenerateDataKey", secretsKey, accessAllowed, via(s))
		}
		for _, s := range others(mine, i) {
			// A key rotator's admin credential is a read it may make.
			if slices.Contains([]string{fn.Str("environment.variables.ADMIN_SECRET_ARN")}, s) {
				continue
			}
			add(row+": others", role, docs, "secretsmanager:PutSecretValue", s, accessDenied, nil)
			add(row+": others", role, docs, "secretsmanager:GetSecretValue", s, accessDenied, nil)
			add(row+": others", role, docs, "kms:GenerateDataKey", secretsKey, accessDenied, via(s))
			add(row+": others", role, docs, "kms:Decrypt", secretsKey, accessDenied, via(s))
		}
	}

	// Workloads: an existing role reads with the managed policy its owner
	// attaches.
	managed := map[string]json.RawMessage{}
	for _, p := range rec.OfType("aws:iam/policy:Policy") {
		doc, err := iam.Parse(p.Str("policy"))
		require.NoError(t, err)
		managed[p.StateStr("arn")] = accessSimDoc(t, doc)
	}
	var wls map[string]accessWorkloadOutput
	accessDecodeOutput(t, rec, "workloads", &wls)
	readStage := map[string]any{"secretsmanager:VersionStage": "AWSCURRENT"}
	i := 0
	for name, w := range wls {
		i++
		docs := identity[accessRoleNameOf(w.RoleArn)]
		if w.ReadPolicyArn != "" {
			docs = []json.RawMessage{managed[w.ReadPolicyArn]}
		}
		require.NotEmpty(t, docs, "workload %s has no policy", name)
		require.NotEmpty(t, w.SecretArns, "workload %s reads nothing", name)
		row := "workload"
		for _, s := range w.SecretArns {
			add(row+": read own", w.RoleArn, docs, "secretsmanager:GetSecretValue", s, accessAllowed, readStage)
			add(row+": read own", w.RoleArn, docs, "kms:Decrypt", secretsKey, accessAllowed, via(s))
		}
		for _, s := range others(w.SecretArns, i) {
			add(row+": others", w.RoleArn, docs, "secretsmanager:GetSecretValue", s, accessDenied, readStage)
			add(row+": others", w.RoleArn, docs, "kms:Decrypt", secretsKey, accessDenied, via(s))
		}
	}
	require.Len(t, wls, scaleWorkloads)

	title := fmt.Sprintf("figures generated-2000 identities (%d rotators, %d workloads)", rotators, len(wls))
	t.Log("\n" + evaluateProbes(t, sim, title, probes))
}
