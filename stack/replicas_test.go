package stack_test

import (
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/alerts"
	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// replicaStack is the variant of prod whose secrets replicate (strict).
func replicaStack(t *testing.T) mockrun.Stack {
	t.Helper()
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	variants, err := mockrun.Variants(prod)
	require.NoError(t, err)
	i := slices.IndexFunc(variants, func(v mockrun.Stack) bool { return v.Name == "prod"+mockrun.VariantReplicas })
	require.GreaterOrEqual(t, i, 0)
	return variants[i]
}

// TestReplicaStackUnderMocks runs the replica variant and checks, region by
// region: a provider per replica region in the stack's account, one key
// there with the secrets key's explicit policy, protected, rotating; every
// replica under its region's key and never forced over a secret of its
// name; the database secret, the admin credentials and the secret that
// turned replication off unreplicated; rotators that re-encrypt for their
// replicas; a forwarder per replica region; the outputs a client in a
// replica region needs; the cost of each region; every rule.
func TestReplicaStackUnderMocks(t *testing.T) {
	st := replicaStack(t)
	rec, cfg := parsed(t, st)
	require.Empty(t, rules.Check(rec), "every rule holds in every region")
	regions := mockrun.ReplicaRegions()
	require.Equal(t, regions, cfg.ReplicaRegionsInUse())
	require.True(t, rec.Strict)

	perRegion := map[string]int{}
	for _, r := range rec.Resources {
		if r.Custom {
			perRegion[r.Region]++
		}
	}
	t.Logf("figures %s: %d resources; custom resources per region %v", st.Name, len(rec.Resources), perRegion)

	providers := map[string]mockrun.Resource{}
	for _, p := range rec.OfType(mockrun.TypeAWSProvider) {
		if strings.HasPrefix(p.Name, "region-") {
			providers[p.Str("region")] = p
		}
	}
	require.Len(t, providers, len(regions), "one provider per replica region")
	keys, err := rec.KeyPolicies()
	require.NoError(t, err)
	primary := rec.OfType(mockrun.TypeKMSKey)[0]
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		if k.Region == rec.Region && strings.HasPrefix(k.Name, "secrets-key") {
			primary = k
		}
	}
	replicaKeys := map[string]string{}
	for _, r := range regions {
		p := providers[r]
		allowed := p.Strings("allowedAccountIds")
		if js := p.Str("allowedAccountIds"); js != "" {
			require.NoError(t, json.Unmarshal([]byte(js), &allowed))
		}
		assert.Equal(t, []string{"111122223333"}, allowed, "provider of %s keeps the stack's allowedAccountIds", r)
		var inRegion []mockrun.Resource
		for _, k := range rec.OfType(mockrun.TypeKMSKey) {
			if k.Region == r {
				inRegion = append(inRegion, k)
			}
		}
		require.Len(t, inRegion, 1, "one key in %s", r)
		k := inRegion[0]
		replicaKeys[r] = k.StateStr("arn")
		assert.Equal(t, r, iam.RegionOf(k.StateStr("arn")), "the key is made in its region")
		assert.True(t, strings.HasPrefix(k.Provider, p.URN+"::"), "the key of %s is made through that region's provider", r)
		assert.True(t, k.Protect, "the key of %s is protected in a strict stack", r)
		rotates, _ := k.Bool("enableKeyRotation")
		assert.True(t, rotates)
		days, _ := k.Int("deletionWindowInDays")
		assert.Equal(t, 30, days)
		// The explicit policy is the primary's: the same administrators, the
		// same delegation to IAM, grants only for AWS services.
		assert.Equal(t, keys[primary.StateStr("arn")].Statement[:3], keys[k.StateStr("arn")].Statement[:3], "the key of %s has the secrets key's policy", r)
		aliases := 0
		for _, a := range rec.OfType("aws:kms/alias:Alias") {
			if a.Region == r {
				aliases++
				assert.Equal(t, "alias/prod/secrets", a.Str("name"))
			}
		}
		assert.Equal(t, 1, aliases, "the key of %s has the secrets key's alias there", r)
	}

	for _, s := range rec.OfType(mockrun.TypeSecret) {
		entry, ok := cfg.Secret(s.Str("name"))
		require.True(t, ok)
		got := s.Replicas()
		assert.Equal(t, entry.ReplicaRegions, slices.Sorted(maps.Keys(got)), "%s: replica regions, got/want", entry.Name)
		for r, key := range got {
			assert.Equal(t, replicaKeys[r], key, "%s: the replica in %s is under that region's key", entry.Name, r)
		}
		if len(got) > 0 {
			force, set := s.Bool("forceOverwriteReplicaSecret")
			assert.True(t, set && !force, "%s: a secret of its name in a replica region is never overwritten", entry.Name)
			assert.True(t, s.Protect)
		}
	}
	for name, why := range map[string]string{
		"/prod/app/database": "a database secret", "/prod/integrations/twilio-admin": "an admin credential",
		"/prod/integrations/partner-admin": "an admin credential", "/prod/app/session-key": "replicaRegions: []",
	} {
		s, _ := cfg.Secret(name)
		assert.Empty(t, s.ReplicaRegions, "%s (%s) is not replicated", name, why)
	}
	ring, _ := cfg.Secret("/prod/app/encryption-key")
	assert.Equal(t, regions, ring.ReplicaRegions, "an entry's own list replaces the stack's")

	// Rotators re-encrypt their puts for their own replicas, region by region.
	sids := map[string]bool{}
	for _, p := range rec.OfType(mockrun.TypeRolePolicy) {
		if !strings.HasPrefix(p.Name, "rotation-") {
			continue
		}
		doc, err := iam.Parse(p.Str("policy"))
		require.NoError(t, err)
		for _, s := range doc.Statement {
			if strings.HasPrefix(s.Sid, "ReplicateOwnSecretsTo") {
				sids[s.Sid] = true
				region := iam.RegionOf(s.Resource[0])
				assert.Equal(t, iam.Strings{replicaKeys[region]}, s.Resource)
				assert.Equal(t, iam.Strings{"secretsmanager." + region + ".amazonaws.com"}, s.Condition["StringEquals"]["kms:ViaService"])
			}
		}
	}
	assert.True(t, sids["ReplicateOwnSecretsToUsEast1"] && sids["ReplicateOwnSecretsToUsWest2"], "got %v", sids)

	// A forwarder per replica region, onto the stack region's bus.
	bus := "arn:aws:events:" + rec.Region + ":111122223333:event-bus/default"
	forwarded := map[string]bool{}
	for _, tg := range rec.OfType(mockrun.TypeEventTarget) {
		if tg.Str("arn") == bus {
			forwarded[tg.Region] = true
			assert.NotEmpty(t, tg.Str("roleArn"), "a cross-region target needs a role")
		}
	}
	assert.Equal(t, map[string]bool{"us-east-1": true, "us-west-2": true}, forwarded)
	role, ok := rec.Named("alerts-forward-role")
	require.True(t, ok)
	assert.Equal(t, alerts.ForwardRoleName("prod"), role.Str("name"))

	// Outputs.
	var replicaArns map[string]map[string]string
	accessDecodeOutput(t, rec, "secretReplicaArns", &replicaArns)
	assert.Equal(t, regions, slices.Sorted(maps.Keys(replicaArns["/prod/app/encryption-key"])))
	var workloads map[string]struct {
		SecretArnsByRegion map[string][]string `json:"secretArnsByRegion"`
	}
	accessDecodeOutput(t, rec, "workloads", &workloads)
	api := workloads["api"].SecretArnsByRegion
	require.Contains(t, api, "us-east-1")
	assert.Contains(t, api["us-east-1"], replicaArns["/prod/app/encryption-key"]["us-east-1"], "in us-east-1 the api names the replica there")
	var primaries map[string]string
	accessDecodeOutput(t, rec, "secretArns", &primaries)
	assert.Contains(t, api["us-east-1"], primaries["/prod/app/database"], "and the primary of what has no replica there")

	var cost struct {
		Lines []struct {
			Item    string  `json:"item"`
			Monthly float64 `json:"monthlyUsd"`
		} `json:"lines"`
		Total float64 `json:"totalMonthlyUsd"`
	}
	accessDecodeOutput(t, rec, "estimatedMonthlyCost", &cost)
	var items []string
	for _, l := range cost.Lines {
		items = append(items, l.Item)
	}
	for _, r := range regions {
		assert.Contains(t, items, "Secrets Manager replica secrets ("+r+")")
		assert.Contains(t, items, "KMS customer-managed key ("+r+")")
	}
	t.Logf("figures %s: estimated %.2f USD a month, replica lines %v", st.Name, cost.Total, slices.DeleteFunc(items, func(i string) bool { return !strings.Contains(i, "replica") }))
}

// TestReplicaConfigIsRefusedBeforeAnythingRegisters: a replica region that
// is the stack's own, unknown, listed twice, or on a secret that must not
// replicate, and a lambda workload in a replica region, each fail the
// stack with the key named, and the program registers nothing.
func TestReplicaConfigIsRefusedBeforeAnythingRegisters(t *testing.T) {
	base := replicaStack(t)
	secretsWith := func(name string, regions any) func(*[]map[string]any) {
		return func(ss *[]map[string]any) {
			for _, s := range *ss {
				if s["name"] == name {
					s["replicaRegions"] = regions
				}
			}
		}
	}
	cases := []struct {
		name  string
		stack mockrun.Stack
		want  []string
	}{
		{"the stack's own region", base.With("replicaRegions", `["eu-west-1"]`),
			[]string{`secrets-platform:replicaRegions[0] = "eu-west-1"`, "other than the stack's own"}},
		{"an unknown region", base.With("replicaRegions", `["us-east-9"]`),
			[]string{`secrets-platform:replicaRegions[0] = "us-east-9"`, "a region of partition aws"}},
		{"a region twice", base.With("replicaRegions", `["us-east-1","us-east-1"]`),
			[]string{`secrets-platform:replicaRegions[1] = "us-east-1"`, "each region once"}},
		{"the database secret", editJSON(t, base, "secrets", secretsWith("/prod/app/database", []string{"us-east-1"})),
			[]string{".replicaRegions = \"us-east-1\"", "no replicas for kind database"}},
		{"an admin credential", editJSON(t, base, "secrets", secretsWith("/prod/integrations/twilio-admin", []string{"us-east-1"})),
			[]string{".replicaRegions = \"us-east-1\"", "no replicas for the admin credential of /prod/integrations/twilio"}},
		{"a lambda workload in a replica region", editJSON(t, base, "workloads", func(ws *[]map[string]any) {
			for _, w := range *ws {
				if w["name"] == "notifier" {
					w["regions"] = []string{"us-east-1"}
				}
			}
		}), []string{".regions = \"[us-east-1]\"", "only the stack's region (eu-west-1) for type lambda"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := mockrun.Run(tc.stack, stack.Compose)
			var cerr *config.Error
			require.True(t, errors.As(err, &cerr), "got %v, want a config error", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources, "nothing registers on bad config")
		})
	}
	// The config that is refused is otherwise a stack that deploys.
	b, err := json.Marshal(mockrun.ReplicaRegions()[:1])
	require.NoError(t, err)
	_, err = mockrun.Run(base.With("replicaRegions", string(b)), stack.Compose)
	require.NoError(t, err)
}
