package stack_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// exampleDir is the stack shaped like the Terraform setup the migration
// guide starts from; it is not one of the project's stacks.
const exampleDir = "../examples/from-terraform"

// loadExample loads the example stack the way the CLI would if it were a
// stack of this project: its file beside the project's Pulumi.yaml.
func loadExample(t *testing.T) mockrun.Stack {
	t.Helper()
	dir := t.TempDir()
	for src, dst := range map[string]string{"../Pulumi.yaml": "Pulumi.yaml", filepath.Join(exampleDir, "Pulumi.prod.yaml"): "Pulumi.example.yaml"} {
		b, err := os.ReadFile(src)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, dst), b, 0o600))
	}
	st, err := mockrun.LoadStack(dir, "example")
	require.NoError(t, err)
	return st
}

// editJSON returns the stack with the JSON value of key changed by edit.
func editJSON[T any](t *testing.T, st mockrun.Stack, key string, edit func(*T)) mockrun.Stack {
	t.Helper()
	var v T
	require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:"+key]), &v))
	edit(&v)
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return st.With(key, string(b))
}

// network edits the database network of a stack.
func network(t *testing.T, st mockrun.Stack, edit func(n map[string]any)) mockrun.Stack {
	return editJSON(t, st, "database", func(db *map[string]any) {
		n, _ := (*db)["network"].(map[string]any)
		if n == nil {
			n = map[string]any{}
		}
		edit(n)
		(*db)["network"] = n
	})
}

func endpointMode(mode map[string]any) func(map[string]any) {
	return func(n map[string]any) {
		if mode == nil {
			delete(n, "secretsManagerEndpoint")
			return
		}
		n["secretsManagerEndpoint"] = mode
	}
}

// TestAdoptionContradictionsAreRefusedBeforeAnythingIsRegistered: every
// contradiction of the keys that adopt existing resources is one problem of
// the one config error, naming the key and what is allowed, and nothing is
// registered.
func TestAdoptionContradictionsAreRefusedBeforeAnythingIsRegistered(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	staging, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)
	example := loadExample(t)
	const vpc = "vpc-0a1b2c3d4e5f60700"
	secret := func(st mockrun.Stack, i int, k string, v any) mockrun.Stack {
		return editJSON(t, st, "secrets", func(es *[]map[string]any) { (*es)[i][k] = v })
	}
	db := func(st mockrun.Stack, k string, v any) mockrun.Stack {
		return editJSON(t, st, "database", func(d *map[string]any) { (*d)[k] = v })
	}
	external := func(i int, k, v string) mockrun.Stack {
		return editJSON(t, example, "externalSecrets", func(es *[]map[string]any) { (*es)[i][k] = v })
	}
	const openaiARN = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai-Q1w2E3"

	cases := []struct {
		name  string
		stack mockrun.Stack
		want  []string
	}{
		// The endpoint of the database's VPC.
		{"endpoint mode in a VPC the stack creates",
			network(t, staging, endpointMode(map[string]any{"mode": "create-without-private-dns"})),
			[]string{"database.network.secretsManagerEndpoint = \"(set)\"", "only with network.vpcId"}},
		{"no endpoint mode in an existing VPC", network(t, prod, endpointMode(nil)),
			[]string{"database.network.secretsManagerEndpoint = \"(unset)\"", "existing, create-without-private-dns, create-with-private-dns"}},
		{"an unknown endpoint mode", network(t, prod, endpointMode(map[string]any{"mode": "shared"})),
			[]string{"secretsManagerEndpoint.mode = \"shared\"", "one of existing"}},
		{"an existing endpoint without its id", network(t, prod, endpointMode(map[string]any{"mode": "existing"})),
			[]string{"secretsManagerEndpoint.id = \"\"", "vpce-<hex>"}},
		{"an endpoint id with a mode that creates one",
			network(t, prod, endpointMode(map[string]any{"mode": "create-without-private-dns", "id": "vpce-0a1b2c3d4e5f60710"})),
			[]string{"secretsManagerEndpoint.id = \"vpce-0a1b2c3d4e5f60710\"", "only with mode existing"}},
		{"private DNS without the acknowledgement", network(t, prod, endpointMode(map[string]any{"mode": "create-with-private-dns"})),
			[]string{"acknowledgeVpcWidePrivateDns = \"\"", "the VPC id " + vpc, "every tenant of that VPC"}},
		{"private DNS acknowledged for another VPC",
			network(t, prod, endpointMode(map[string]any{"mode": "create-with-private-dns", "acknowledgeVpcWidePrivateDns": "vpc-0ffffffffffffffff"})),
			[]string{"acknowledgeVpcWidePrivateDns = \"vpc-0ffffffffffffffff\"", "the VPC id " + vpc}},
		{"an acknowledgement without private DNS",
			network(t, prod, endpointMode(map[string]any{"mode": "create-without-private-dns", "acknowledgeVpcWidePrivateDns": vpc})),
			[]string{"acknowledgeVpcWidePrivateDns = \"" + vpc + "\"", "only with mode create-with-private-dns"}},
		// Adopted secrets.
		{"adopting a database secret",
			secret(prod, 0, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/database-Mn4Bv5"}),
			[]string{"secrets[0].adopt", "no adopt for kind database", "database.existing.masterSecretArn"}},
		{"an adopted ARN of another name", secret(prod, 2, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-Q1w2E3"}),
			[]string{"secrets[2].adopt.arn", "the ARN of the secret named /prod/app/openai (this one names /prod/app/stripe)"}},
		{"an adopted ARN in another region", secret(prod, 2, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:us-east-1:111122223333:secret:/prod/app/openai-Q1w2E3"}),
			[]string{"secrets[2].adopt.arn", "a secret in the stack's region eu-west-1"}},
		{"an adopted ARN of another account", secret(prod, 2, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:eu-west-1:444455556666:secret:/prod/app/openai-Q1w2E3"}),
			[]string{"secrets[2].adopt.arn", "a secret in this stack's account (111122223333)"}},
		{"an adopted name without the ARN suffix", secret(prod, 2, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai"}),
			[]string{"secrets[2].adopt.arn", "the complete ARN of the secret"}},
		{"an adopted secret with a first value from config",
			secret(secret(staging, 1, "adopt", map[string]any{"arn": "arn:aws:secretsmanager:eu-west-1:210987654321:secret:/staging/app/stripe-Q1w2E3"}), 1, "valueConfigKey", "stripeValue"),
			[]string{"secrets[1].adopt", "either adopt or valueConfigKey"}},
		{"an adopted secret marked as put by an operator",
			secret(secret(prod, 2, "adopt", map[string]any{"arn": openaiARN}), 2, "valuePut", true),
			[]string{"secrets[2].adopt", "either adopt or valuePut"}},
		{"an adopted key by alias", prod.With("adoptSecretsKeyArn", "arn:aws:kms:eu-west-1:111122223333:alias/prod-secrets"),
			[]string{"adoptSecretsKeyArn = \"arn:aws:kms:eu-west-1:111122223333:alias/prod-secrets\"", "not an alias"}},
		{"an adopted key of another account", prod.With("adoptSecretsKeyArn", "arn:aws:kms:eu-west-1:444455556666:key/1f6c3d2e-8a4b-4c5d-9e7f-0a1b2c3d4e5f"),
			[]string{"adoptSecretsKeyArn", "a key in this stack's account"}},
		// External secrets.
		{"an external secret named like a catalog secret", external(0, "name", "/prod/app/openai"),
			[]string{"externalSecrets[0].name = \"/prod/app/openai\"", "a secret outside this stack's catalog"}},
		{"an external ARN of another name", external(0, "arn", "arn:aws:secretsmanager:eu-west-1:444455556666:secret:/prod/payments/other-Zx8Yw7"),
			[]string{"externalSecrets[0].arn", "the ARN of the secret named /prod/payments/webhook-signing-key"}},
		{"an external secret in another region", external(0, "arn", "arn:aws:secretsmanager:us-east-1:444455556666:secret:/prod/payments/webhook-signing-key-Zx8Yw7"),
			[]string{"externalSecrets[0].arn", "a secret in the stack's region eu-west-1"}},
		{"an external key given by alias", external(0, "kmsKeyArn", "arn:aws:kms:eu-west-1:444455556666:alias/payments"),
			[]string{"externalSecrets[0].kmsKeyArn", "not an alias, and not aws/secretsmanager"}},
		{"an external key in another region", external(0, "kmsKeyArn", "arn:aws:kms:us-east-1:444455556666:key/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"),
			[]string{"externalSecrets[0].kmsKeyArn", "a key in the stack's region eu-west-1"}},
		{"an external secret nobody reads",
			editJSON(t, example, "workloads", func(ws *[]map[string]any) {
				(*ws)[0]["secrets"] = []string{"/prod/app/database-app", "platform/smtp-relay"}
			}),
			[]string{"externalSecrets[0].name = \"/prod/payments/webhook-signing-key\"", "a secret some workloads[].secrets lists"}},
		{"a workload reading an unknown secret",
			editJSON(t, example, "workloads", func(ws *[]map[string]any) { (*ws)[1]["secrets"] = []string{"platform/unknown"} }),
			[]string{"workloads[1].secrets[0] = \"platform/unknown\"", "in this stack's catalog or in externalSecrets"}},
		{"sharing an external secret with another account",
			editJSON(t, example, "crossAccount", func(cs *[]map[string]any) { (*cs)[0]["secrets"] = []string{"platform/smtp-relay"} }),
			[]string{"crossAccount[0].secrets[0] = \"platform/smtp-relay\"", "a secret in this stack's catalog"}},
		// An existing database.
		{"an existing instance with instance settings", db(db(example, "engineVersion", "16"), "multiAz", true),
			[]string{"database.engineVersion = \"(set)\"", "database.multiAz = \"(set)\"", "its owner's"}},
		{"an existing instance in a VPC the stack creates", db(example, "network", map[string]any{"cidr": "10.40.0.0/16"}),
			[]string{"database.network.vpcId = \"(unset)\"", "the VPC of the existing instance"}},
		{"an existing instance named badly", db(example, "existing", map[string]any{"instanceIdentifier": "Prod_Main",
			"masterSecretArn": "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/app/database-Mn4Bv5"}),
			[]string{"database.existing.instanceIdentifier = \"Prod_Main\"", "the RDS identifier of the instance"}},
		{"a master secret of another account", db(example, "existing", map[string]any{"instanceIdentifier": "prod-main",
			"masterSecretArn": "arn:aws:secretsmanager:eu-west-1:444455556666:secret:/prod/app/database-Mn4Bv5"}),
			[]string{"database.existing.masterSecretArn", "a secret in this stack's account (333344445555)"}},
		{"workload groups with nothing of the stack's to reach", db(example, "workloadSecurityGroupIds", []string{"sg-0a1b2c3d4e5f60718"}),
			[]string{"database.workloadSecurityGroupIds = \"[sg-0a1b2c3d4e5f60718]\"", "the program would create nothing for the workloads to reach"}},
		{"owner changes acknowledged where there are none", db(prod, "ownerChangesApplied", true),
			[]string{"database.ownerChangesApplied = \"true\"", "only with database.existing or an existing endpoint"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec, err := mockrun.Run(tc.stack, stack.Compose)
			require.Error(t, err, "got no error, want the config refused")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w, "error, got/want substring")
			}
			assert.Empty(t, rec.Resources, "got %d resources registered, want none before config is valid", len(rec.Resources))
		})
	}
}
