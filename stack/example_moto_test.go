package stack_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/awsshape"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/stack"
)

// terraformSecret is a secret as the Terraform setup of the migration guide
// leaves it: on aws/secretsmanager (no kms_key_id), with its tags, and a
// value Terraform wrote (and kept in its state).
type terraformSecret struct {
	name, description string
	tags              map[string]string
}

func terraformSecrets() []terraformSecret {
	tf := map[string]string{"Environment": "prod", "ManagedBy": "terraform"}
	return []terraformSecret{
		{"/prod/app/database", "RDS PostgreSQL master credentials", map[string]string{"Environment": "prod", "ManagedBy": "terraform", "Rotation": "automatic"}},
		{"/prod/app/openai", "OpenAI API key", nil},
		{"/prod/app/stripe", "Stripe API keys", tf},
		{"/prod/integrations/twilio", "Twilio credentials", tf},
	}
}

// TestExampleImportsWhatTerraformLeftInMoto creates in moto the secrets and
// the key the Terraform setup leaves, points the example stack at them, and
// compares what the program registers for the import with what moto's
// DescribeSecret and DescribeKey report. The import ids are the resources'
// own; no field that would replace a resource differs (so the first pulumi up
// updates in place, and never deletes an adopted secret); the fields that do
// differ are exactly the changes the migration guide lists for the first
// pulumi up; and no version of an adopted secret is registered, so none of
// their values enters Pulumi's state.
func TestExampleImportsWhatTerraformLeftInMoto(t *testing.T) {
	m := testenv.NewMoto(t)
	ctx := context.Background()
	cfg := aws.Config{Region: m.Region, Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", ""), BaseEndpoint: aws.String(m.Endpoint)}
	sm, km := secretsmanager.NewFromConfig(cfg), kms.NewFromConfig(cfg)

	// aws_kms_key sends its defaults, key_usage and customer_master_key_spec.
	key, err := km.CreateKey(ctx, &kms.CreateKeyInput{Description: aws.String("app secrets encryption key"),
		KeyUsage: kmstypes.KeyUsageTypeEncryptDecrypt, KeySpec: kmstypes.KeySpecSymmetricDefault,
		Tags: []kmstypes.Tag{{TagKey: aws.String("Environment"), TagValue: aws.String("prod")}}})
	require.NoError(t, err)
	_, err = km.EnableKeyRotation(ctx, &kms.EnableKeyRotationInput{KeyId: key.KeyMetadata.KeyId})
	require.NoError(t, err)
	before := map[string]*secretsmanager.DescribeSecretOutput{}
	for _, s := range terraformSecrets() {
		var tags []smtypes.Tag
		for k, v := range s.tags {
			tags = append(tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
		}
		out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(s.name), Description: aws.String(s.description),
			SecretString: aws.String(`{"written":"by terraform"}`), Tags: tags})
		require.NoError(t, err)
		d, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: out.ARN})
		require.NoError(t, err)
		before[s.name] = d
	}
	account := strings.Split(*key.KeyMetadata.Arn, ":")[4]

	st := exampleIn(t, loadExample(t), m.Region, account)
	st = st.With("adoptSecretsKeyArn", *key.KeyMetadata.Arn)
	st = editJSON(t, st, "secrets", func(es *[]map[string]any) {
		for _, e := range *es {
			if _, ok := e["adopt"]; ok {
				e["adopt"] = map[string]any{"arn": *before[e["name"].(string)].ARN}
			}
		}
	})
	st = editJSON(t, st, "database", func(d *map[string]any) {
		(*d)["existing"].(map[string]any)["masterSecretArn"] = *before["/prod/app/database"].ARN
	})
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	for _, v := range rules.Check(rec) {
		t.Errorf("%s", v)
	}

	// The key: imported by its id; spec and usage, which would replace it,
	// are the same; rotation stays on.
	k := rotMust(t, rec, "secrets-key-key")
	assert.Equal(t, *key.KeyMetadata.KeyId, k.ImportID)
	desc, err := km.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: key.KeyMetadata.KeyId})
	require.NoError(t, err)
	assert.Equal(t, string(desc.KeyMetadata.KeySpec), k.Str("customerMasterKeySpec"), "key spec (replaces the key when it differs), got/want")
	assert.Equal(t, string(desc.KeyMetadata.KeyUsage), k.Str("keyUsage"), "key usage (replaces the key when it differs), got/want")
	rotates, _ := k.Bool("enableKeyRotation")
	assert.True(t, rotates)

	replaceKeys, ok := awsshape.ReplaceKeys(mockrun.TypeSecret)
	require.True(t, ok)
	for _, s := range terraformSecrets() {
		d := before[s.name]
		if s.name == "/prod/app/database" {
			// The master secret stays its owner's: nothing imports it, and the
			// application user's placeholder names it for the rotator.
			for _, r := range rec.Resources {
				assert.NotEqual(t, *d.ARN, r.ImportID, "%s imports the master secret", r.Name)
			}
			first := rotMust(t, rec, "catalog-app-database-app-first-value")
			var v map[string]any
			require.NoError(t, json.Unmarshal([]byte(first.Str("secretString")), &v))
			assert.Equal(t, *d.ARN, v["masterarn"])
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			var sec mockrun.Resource
			for _, r := range rec.OfType(mockrun.TypeSecret) {
				if r.ImportID == *d.ARN {
					sec = r
				}
			}
			require.NotEmpty(t, sec.Name, "got no secret imported as %s", *d.ARN)
			assert.Equal(t, *d.Name, sec.Str("name"), "name (replaces the secret when it differs), got/want")
			assert.Equal(t, []string{"name", "namePrefix"}, replaceKeys, "the fields that replace a secret; the comparison below covers them")
			assert.Empty(t, sec.Str("namePrefix"))

			var differ []string
			if aws.ToString(d.Description) != sec.Str("description") {
				differ = append(differ, "description")
			}
			if aws.ToString(d.KmsKeyId) != sec.Str("kmsKeyId") {
				differ = append(differ, "kmsKeyId")
			}
			tags := map[string]string{}
			for _, tg := range d.Tags {
				tags[*tg.Key] = *tg.Value
			}
			if !mapsEqual(tags, sec.Tags()) {
				differ = append(differ, "tags")
			}
			// What the migration guide says the first pulumi up changes on
			// an adopted secret: its key (aws/secretsmanager to the stack's),
			// its tags, and its description where the catalog's is new.
			assert.Subset(t, []string{"description", "kmsKeyId", "tags"}, differ)
			assert.Contains(t, differ, "kmsKeyId", "the move to the stack's key")
			assert.Contains(t, differ, "tags", "ManagedBy=pulumi and the program's tags")
			assert.Equal(t, *key.KeyMetadata.Arn, sec.Str("kmsKeyId"))
			assert.Empty(t, aws.ToString(d.KmsKeyId), "Terraform left it on aws/secretsmanager")

			// Its versions stay as they are and none enters Pulumi.
			assert.NotEmpty(t, d.VersionIdsToStages)
			for _, c := range rec.Children(mustParent(t, rec, sec)) {
				assert.NotEqual(t, mockrun.TypeSecretVersion, c.Type, "got version %s of an adopted secret", c.Name)
			}
			for _, r := range rec.OfType("aws:secretsmanager/secretRotation:SecretRotation") {
				if r.Str("secretId") == *d.ARN {
					now, _ := r.Bool("rotateImmediately")
					assert.False(t, now, "the import rotates %s", s.name)
				}
			}
		})
	}
	var ids []string
	for _, r := range rec.Resources {
		if r.ImportID != "" {
			ids = append(ids, r.ImportID)
		}
	}
	assert.Len(t, ids, 4, "imports, got %v: the key and three secrets", ids)
	assert.True(t, slices.Contains(ids, *key.KeyMetadata.KeyId))
}

// exampleIn moves the example stack into moto's account and region.
func exampleIn(t *testing.T, st mockrun.Stack, region, account string) mockrun.Stack {
	t.Helper()
	out := st
	out.Config = map[string]string{}
	for k, v := range st.Config {
		v = strings.ReplaceAll(v, "eu-west-1", region)
		out.Config[k] = strings.ReplaceAll(v, "333344445555", account)
	}
	return out
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
