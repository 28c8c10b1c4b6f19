package stack_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// editSecrets returns the stack with its catalog changed by edit.
func editSecrets(t *testing.T, st mockrun.Stack, edit func([]map[string]any) []map[string]any) mockrun.Stack {
	t.Helper()
	var entries []map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:secrets"]), &entries))
	b, err := json.Marshal(edit(entries))
	require.NoError(t, err)
	return st.With("secrets", string(b))
}

// editDatabase sets one field of the stack's database block.
func editDatabase(t *testing.T, st mockrun.Stack, field string, v any) mockrun.Stack {
	t.Helper()
	var db map[string]any
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:database"]), &db))
	db[field] = v
	b, err := json.Marshal(db)
	require.NoError(t, err)
	return st.With("database", string(b))
}

func setField(i int, key string, v any) func([]map[string]any) []map[string]any {
	return func(es []map[string]any) []map[string]any {
		es[i][key] = v
		return es
	}
}

func TestBadConfigFailsBeforeAnythingIsRegistered(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	// Values from secret config exist only in disposable stacks.
	staging, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)

	cases := []struct {
		name  string
		stack func(t *testing.T) mockrun.Stack
		// want are substrings the one error must contain: the key, the value
		// and what is allowed.
		want []string
	}{
		{"unknown secret kind", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "kind", "yaml"))
		}, []string{`secrets-platform:secrets[1].kind = "yaml"`, "one of json, string, password, keyring, database"}},
		{"name with capitals", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "name", "/prod/App/stripe"))
		}, []string{`secrets[1].name = "/prod/App/stripe"`, "/{env}/{group}/{name}"}},
		{"name with two segments", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(2, "name", "/prod/openai"))
		}, []string{`secrets[2].name = "/prod/openai"`, "three segments"}},
		{"duplicate names", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(2, "name", "/prod/app/stripe"))
		}, []string{`secrets[2].name = "/prod/app/stripe"`, "unique across the catalog (also used by secrets-platform:secrets[1])"}},
		{"names that join to the same resource names", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, func(es []map[string]any) []map[string]any {
				es[1]["name"], es[2]["name"] = "/prod/app-x/stripe", "/prod/app/x-stripe"
				return es
			})
		}, []string{`secrets[2].name = "/prod/app/x-stripe"`, "differ from those of /prod/app-x/stripe"}},
		{"one admin secret sent to another key API", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, func(es []map[string]any) []map[string]any {
				return append(es, map[string]any{"name": "/prod/team-x/key", "description": "x", "kind": "json",
					"adminSecret": "/prod/integrations/twilio-admin", "keyApiBaseUrl": "https://collector.example.com",
					"rotation": map[string]any{"strategy": "http"}})
			})
		}, []string{`secrets[7].adminSecret = "/prod/integrations/twilio-admin"`, "serves one strategy and one key API; /prod/integrations/twilio already sends it to twilio"}},
		{"environment does not match", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "name", "/staging/app/stripe"))
		}, []string{`"/staging/app/stripe"`, "a name in this stack's environment: /prod/app/stripe"}},
		{"name ending like an ARN suffix", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(2, "name", "/prod/app/openai-secret"))
		}, []string{`"/prod/app/openai-secret"`, "does not end in a dash and six characters"}},
		{"recovery window out of range", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "recoveryWindowDays", 3))
		}, []string{`secrets[1].recoveryWindowDays = "3"`, "0 (disposable stacks only) or 7 to 30 days"}},
		{"recovery window 0 in a strict stack", func(t *testing.T) mockrun.Stack {
			return prod.With("recoveryWindowDays", "0")
		}, []string{`secrets-platform:recoveryWindowDays = "0"`, "7 to 30 days in a strict stack"}},
		{"rotation more often than every 4 hours", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "rotation", map[string]any{"strategy": "keyring", "scheduleExpression": "rate(2 hours)"}))
		}, []string{`secrets[3].rotation.scheduleExpression = "rate(2 hours)"`, "from 4 hours to maxSecretAgeDays (90 days)"}},
		{"rotation period over the maximum", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "rotation", map[string]any{"strategy": "keyring", "days": 120}))
		}, []string{`secrets[3].rotation.days = "120"`, "1 to maxSecretAgeDays (90) days"}},
		{"malformed account id", func(t *testing.T) mockrun.Stack {
			return prod.With("crossAccount", `[{"name":"messaging","accountId":"4444","roleName":"messaging-sender","secrets":["/prod/integrations/twilio"]}]`)
		}, []string{`crossAccount[0].accountId = "4444"`, "a 12-digit AWS account ID"}},
		{"two entries for one consumer role", func(t *testing.T) mockrun.Stack {
			return prod.With("crossAccount", `[{"name":"a","accountId":"444455556666","roleName":"reader","secrets":["/prod/integrations/twilio"]},`+
				`{"name":"b","accountId":"444455556666","roleName":"reader","secrets":["/prod/app/openai"]}]`)
		}, []string{`crossAccount[1].roleName = "reader"`, "a role no other entry names in account 444455556666 (a does)"}},
		{"malformed role ARN", func(t *testing.T) mockrun.Stack {
			return prod.With("keyAdminRoleArns", `["arn:aws:iam::111122223333:user/bob"]`)
		}, []string{`keyAdminRoleArns[0] = "arn:aws:iam::111122223333:user/bob"`, "an IAM role ARN"}},
		{"json secret given invalid JSON, value not echoed", func(t *testing.T) mockrun.Stack {
			return staging.WithSecret("stripeValue", `{"key": sk_live_not_json`)
		}, []string{`secrets-platform:stripeValue = [secret]`, "a JSON object (secrets[].kind is json)"}},
		{"secret value set in plain text", func(t *testing.T) mockrun.Stack {
			return staging.With("openaiValue", "sk-plain-text-value")
		}, []string{`secrets-platform:openaiValue = [secret]`, "pulumi config set --secret openaiValue"}},
		{"a value in a strict stack's config", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "valueConfigKey", "stripeValue")).WithSecret("stripeValue", `{"apiKey":"rk_live_x"}`)
		}, []string{`secrets[1].valueConfigKey = "stripeValue"`, "no value in stack config of a strict stack", "docs/runbooks/first-value-third-party-key.md"}},
		{"valuePut on a generated secret", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "valuePut", true))
		}, []string{`secrets[3].valuePut = "true"`, "only for a secret whose value an operator puts"}},
		{"a key ring too small to warn before it is full", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "keyring", map[string]any{"maxKeys": 3}))
		}, []string{`secrets[3].keyring.maxKeys = "3"`, "4 to 64 keys"}},
		{"a key id that is not one", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "keyring", map[string]any{"retireKeys": []string{"k1", "../k2"}}))
		}, []string{`secrets[3].keyring.retireKeys[1] = "../k2"`, "a key id of the ring"}},
		{"a minor engine version", func(t *testing.T) mockrun.Stack {
			return editDatabase(t, prod, "engineVersion", "16.4")
		}, []string{`database.engineVersion = "16.4"`, "a PostgreSQL major version such as 16"}},
		{"unknown mode", func(t *testing.T) mockrun.Stack { return prod.With("mode", "lenient") },
			[]string{`secrets-platform:mode = "lenient"`, `one of "strict", "disposable"`}},
		{"short key deletion window in a strict stack", func(t *testing.T) mockrun.Stack {
			return prod.With("keyDeletionWindowDays", "7")
		}, []string{`keyDeletionWindowDays = "7"`, "30 in a strict stack"}},
		{"grace period shorter than a cached key lives", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(4, "rotation", map[string]any{"strategy": "twilio", "days": 30, "gracePeriod": "10m"}))
		}, []string{`secrets[4].rotation.gracePeriod = "10m0s"`, "cache.maxStale = 20m30s"}},
		{"manual rotation without a reason", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(1, "rotation", map[string]any{"strategy": "manual"}))
		}, []string{`secrets[1].rotation.manualReason = ""`, "SECURITY-RULES 2 exception"}},
		{"strategy that does not fit the kind", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(3, "rotation", map[string]any{"strategy": "twilio"}))
		}, []string{`secrets[3].rotation.strategy = "twilio"`, "for kind keyring one of keyring, manual"}},
		{"a privileged grant", func(t *testing.T) mockrun.Stack {
			return editDatabase(t, prod, "grants", []string{"pg_read_all_data", "rds_superuser"})
		}, []string{`database.grants[1] = "rds_superuser"`, "a role that is not privileged"}},
		{"the master user as a grant", func(t *testing.T) mockrun.Stack {
			return editDatabase(t, prod, "grants", []string{"dbadmin"})
		}, []string{`database.grants[0] = "dbadmin"`, "or the master user dbadmin"}},
		{"AWS's hosted rotator", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(0, "rotation", map[string]any{"strategy": "hosted-multi-user"}))
		}, []string{`secrets[0].rotation.strategy = "hosted-multi-user"`, "outside the permissions boundary", "use postgres-alternating-users"}},
		{"misspelt top-level key", func(t *testing.T) mockrun.Stack { return prod.With("recoveryWindowDay", "7") },
			[]string{`secrets-platform:recoveryWindowDay = "(set)"`, "not a known key"}},
		{"misspelt field in a secret", func(t *testing.T) mockrun.Stack {
			return editSecrets(t, prod, setField(0, "rotaton", map[string]any{}))
		}, []string{`secrets-platform:secrets = `, `unknown field "rotaton"`}},
		{"single-AZ database in a strict stack", func(t *testing.T) mockrun.Stack {
			return prod.With("database", `{"secretName":"/prod/app/database","multiAz":false,"backupRetentionDays":3}`)
		}, []string{`database.multiAz = "false"`, "true in a strict stack", `database.backupRetentionDays = "3"`, "7 to 35 days in a strict stack"}},
		{"workload reads a secret not in the catalog", func(t *testing.T) mockrun.Stack {
			return prod.With("workloads", `[{"name":"api","type":"ecs","secrets":["/prod/app/nope"]}]`)
		}, []string{`workloads[0].secrets[0] = "/prod/app/nope"`, "a secret in this stack's catalog"}},
		{"workload security groups with a VPC the stack creates", func(t *testing.T) mockrun.Stack {
			return prod.With("database", `{"secretName":"/prod/app/database","network":{"cidr":"10.40.0.0/16"},"workloadSecurityGroupIds":["sg-0a1b2c3d4e5f60718"]}`)
		}, []string{`database.workloadSecurityGroupIds = "[sg-0a1b2c3d4e5f60718]"`, "only with network.vpcId"}},
		{"webhook URL in plain text, never echoed", func(t *testing.T) mockrun.Stack {
			return prod.With("alerts", `{"httpsEndpoints":["http://hooks.example.com/T0/sk-plain-text-value"]}`)
		}, []string{`alerts.httpsEndpoints[0] = [secret]: an https:// URL`, "set alerts with `pulumi config set --secret"}},
		{"no region", func(t *testing.T) mockrun.Stack { return prod.With("aws:region", "") },
			[]string{`aws:region = ""`, "pulumi config set aws:region"}},
	}
	require.GreaterOrEqual(t, len(cases), 15)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := mockrun.Run(tc.stack(t), stack.Compose)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, rec.Resources, "got %d resources registered, want none before config is valid", len(rec.Resources))
			// strings.Contains, not assert.NotContains, which would print the value.
			assert.False(t, strings.Contains(err.Error(), "sk_live_not_json"), "the error must not echo a secret value")
			assert.False(t, strings.Contains(err.Error(), "sk-plain-text-value"), "the error must not echo a secret value")
		})
	}
}

func TestAllConfigProblemsAreReportedTogether(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	st := prod.With("mode", "lenient").With("maxSecretAgeDays", "400").With("keyAdminRoleArns", `["not-an-arn"]`)
	st = editSecrets(t, st, setField(1, "kind", "yaml"))

	rec, err := mockrun.Run(st, stack.Compose)
	require.Error(t, err)
	assert.Empty(t, rec.Resources)
	var cfgErr *config.Error
	require.ErrorAs(t, err, &cfgErr, "the program returns the config error itself")
	assert.Len(t, cfgErr.Problems, 4, "got %v", cfgErr.Problems)
	assert.Equal(t, 4, strings.Count(err.Error(), "\n  - "))
}
