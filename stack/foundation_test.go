package stack_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/secrets"
	"github.com/acme/secrets-platform/stack"
)

// parsed runs a stack and also parses its config, so assertions compare
// registered resources with what the stack file asked for.
func parsed(t *testing.T, st mockrun.Stack) (*mockrun.Recording, config.Config) {
	t.Helper()
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	secret := map[string]bool{}
	for _, k := range st.SecretKeys {
		secret[k] = true
	}
	cfg, err := config.Parse(config.Raw{Stack: st.Name, Values: st.Config, Secret: secret})
	require.NoError(t, err)
	return rec, cfg
}

var secretARN = regexp.MustCompile(`^arn:aws:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:(/[a-z0-9-]+/[a-z0-9-]+/[a-z0-9-]+)-[A-Za-z0-9]{6}$`)

func TestKeysOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			keys := rec.OfType(mockrun.TypeKMSKey)
			require.Len(t, keys, 2, "a secrets key and a platform key")
			aliases := map[string]bool{}
			for _, a := range rec.OfType("aws:kms/alias:Alias") {
				aliases[a.Str("name")] = true
			}
			assert.Equal(t, map[string]bool{"alias/" + cfg.Environment + "/secrets": true, "alias/" + cfg.Environment + "/platform": true}, aliases)
			for _, k := range keys {
				days, _ := k.Int("deletionWindowInDays")
				assert.Equal(t, cfg.Protection.KeyDeletionWindowDays, days, "%s deletion window", k.Name)
				assert.Equal(t, cfg.Strict(), k.Protect, "%s protect", k.Name)
				doc, err := iam.Parse(k.Str("policy"))
				require.NoError(t, err)
				sids := map[string]iam.Statement{}
				for _, s := range doc.Statement {
					sids[s.Sid] = s
				}
				admins := sids["KeyAdministrators"]
				assert.ElementsMatch(t, cfg.KeyAdminRoleARNs, []string(admins.Principal.AWS))
				assert.ElementsMatch(t, secrets.KeyAdminActions(), []string(admins.Action))
				assert.NotContains(t, admins.Action, "kms:Decrypt", "administrators manage the key, never read with it")
				use := sids["AccountIAMPoliciesDecideKeyUse"]
				assert.Equal(t, iam.Strings{fmt.Sprintf("arn:aws:iam::%s:root", accountOf(t, st))}, use.Principal.AWS)
				assert.Equal(t, iam.Conditions{"Bool": {"kms:GrantIsForAWSResource": {"true"}}}, sids["GrantsOnlyForAWSServices"].Condition)
			}
			assert.Equal(t, "alias/"+cfg.Environment+"/secrets", rec.Outputs["secretsKeyAlias"].Value)
			assert.Equal(t, keys[slices.IndexFunc(keys, func(r mockrun.Resource) bool { return strings.HasPrefix(r.Name, "secrets-key") })].StateStr("arn"), rec.Outputs["secretsKeyArn"].Value)
		})
	}
}

func accountOf(t *testing.T, st mockrun.Stack) string {
	var ids []string
	require.NoError(t, json.Unmarshal([]byte(st.Config["aws:allowedAccountIds"]), &ids))
	return ids[0]
}

func TestCatalogOnEveryStack(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			secretsKey, ok := rec.Named("secrets-key-key")
			require.True(t, ok)
			registered := map[string]mockrun.Resource{}
			for _, s := range rec.OfType(mockrun.TypeSecret) {
				registered[s.Str("name")] = s
			}
			require.Len(t, registered, len(cfg.Secrets), "one secret per catalog entry")
			var arns map[string]string
			require.NoError(t, rec.Outputs["secretArns"].Decode(&arns))
			for _, e := range cfg.Secrets {
				s, ok := registered[e.Name]
				require.True(t, ok, "secret %s registered", e.Name)
				assert.Equal(t, secretsKey.StateStr("arn"), s.Str("kmsKeyId"), "%s is encrypted with the secrets key", e.Name)
				days, _ := s.Int("recoveryWindowInDays")
				assert.Equal(t, e.RecoveryWindowDays, days, "%s recovery window", e.Name)
				assert.Equal(t, cfg.Strict(), s.Protect, "%s protect", e.Name)
				tags := s.Tags()
				assert.Equal(t, cfg.Environment, tags["Environment"])
				assert.Equal(t, "pulumi", tags["ManagedBy"])
				want := "automatic"
				if e.Rotation.Strategy == config.Manual {
					want = "manual"
				}
				assert.Equal(t, want, tags["Rotation"], "%s Rotation tag", e.Name)
				m := secretARN.FindStringSubmatch(arns[e.Name])
				require.NotNil(t, m, "output ARN of %s has the real shape, got %v", e.Name, arns[e.Name])
				assert.Equal(t, e.Name, m[1])
			}
			for name, o := range rec.Outputs {
				assert.True(t, o.Known, "output %s resolved", name)
			}
		})
	}
}

// TestFirstValuesAreWriteOnce: every value the program makes or receives is
// written once, secret-marked, and ignored afterwards; third-party values
// without secret config are left to an operator.
// TestFirstVersionsArePlaceholders: every secret's first version is written
// once (ignoreChanges) and, unless a disposable stack hands a value through
// secret config, holds no secret: a placeholder labelled PLACEHOLDER, with a
// database secret's connection fields; the outputs list what an operator owes.
func TestFirstVersionsArePlaceholders(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			versions := map[string]mockrun.Resource{}
			for _, v := range rec.OfType(mockrun.TypeSecretVersion) {
				parent, ok := rec.ByURN(v.Parent)
				require.True(t, ok)
				versions[parent.Name] = v
			}
			wantAwaiting := map[string]bool{}
			for _, e := range cfg.Secrets {
				component := "catalog-" + e.Group + "-" + e.Short
				v, ok := versions[component]
				require.True(t, ok, "%s has a first version", e.Name)
				assert.Contains(t, v.IgnoreChanges, "secretString")
				assert.Contains(t, v.IgnoreChanges, "versionStages")
				assert.Equal(t, cfg.Strict(), v.Protect)
				sec, _ := rec.Named(component + "-secret")
				value := v.Str("secretString")
				if e.InitialValue.IsSet() {
					require.False(t, cfg.Strict(), "%s: a value from secret config in a strict stack", e.Name)
					assert.Equal(t, "stack-config", sec.Tags()["FirstValue"])
					assert.False(t, contract.IsPlaceholder([]byte(value)), "%s: got a placeholder, want the value from secret config", e.Name)
					assert.Empty(t, v.Strings("versionStages"), "%s: a real first value takes AWSCURRENT", e.Name)
					continue
				}
				assert.True(t, contract.IsPlaceholder([]byte(value)), "%s: first version is not a placeholder", e.Name)
				assert.Equal(t, []string{contract.PlaceholderStage}, v.Strings("versionStages"))
				want := "rotator"
				if e.OperatorValued() {
					want = "operator"
					wantAwaiting[e.Name] = !e.ValuePut
				}
				assert.Equal(t, want, sec.Tags()["FirstValue"], "%s FirstValue tag", e.Name)
				if e.Kind == config.KindDatabase {
					checkDatabasePlaceholder(t, e, value, rec)
				}
			}
			var got map[string]map[string]string
			require.NoError(t, rec.Outputs["secretsAwaitingFirstValue"].Decode(&got))
			for n, awaiting := range wantAwaiting {
				entry, listed := got[n]
				assert.Equal(t, awaiting, listed, "%s listed in secretsAwaitingFirstValue", n)
				if listed {
					assert.Contains(t, entry["check"], "--secret-id "+n)
					assert.Equal(t, "docs/runbooks/first-value-third-party-key.md", entry["runbook"])
					assert.Contains(t, entry["then"], ".valuePut' true")
				}
			}
			assert.Len(t, got, len(slices.DeleteFunc(slices.Collect(maps.Values(wantAwaiting)), func(b bool) bool { return !b })))
			assert.Empty(t, rec.OfType("random:index/randomPassword:RandomPassword"), "no password is generated by pulumi-random")
			assert.Empty(t, rec.OfType("random:index/randomBytes:RandomBytes"), "no key is generated by pulumi-random")
		})
	}
}

// checkDatabasePlaceholder: the database secret starts with where to connect
// and no password, which the rotator makes.
func checkDatabasePlaceholder(t *testing.T, e config.Secret, value string, rec *mockrun.Recording) {
	t.Helper()
	var v map[string]any
	require.NoError(t, json.Unmarshal([]byte(value), &v))
	inst := rec.OfType(mockrun.TypeRDSInstance)
	require.Len(t, inst, 1)
	assert.Equal(t, inst[0].StateStr("address"), v["host"])
	assert.EqualValues(t, 5432, v["port"])
	assert.Equal(t, true, v["ssl"])
	assert.Equal(t, "postgres", v["engine"])
	assert.NotContains(t, v, "password")
	if e.Rotation.Strategy.ReadsMasterSecret() {
		assert.Contains(t, v["masterarn"], ":secret:rds!db-")
	}
}

func TestEveryStackFileIsPickedUp(t *testing.T) {
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	assert.Subset(t, names, []string{"prod", "staging"})
}
