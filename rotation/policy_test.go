package rotation_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

const (
	secretArn   = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/integrations/twilio-AbCdEf"
	siblingArn  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/integrations/twilio-eu-StUvWx"
	adminArn    = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/integrations/twilio-admin-GhIjKl"
	masterArn   = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-1234-MnOpQr"
	secretsKey  = "arn:aws:kms:eu-west-1:111122223333:key/secrets"
	platformKey = "arn:aws:kms:eu-west-1:111122223333:key/platform"
	functionArn = "arn:aws:lambda:eu-west-1:111122223333:function:prod-rotate-integrations-twilio"
	logGroupArn = "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/prod-rotate-integrations-twilio"
)

func statement(t *testing.T, d iam.Document, sid string) iam.Statement {
	t.Helper()
	i := slices.IndexFunc(d.Statement, func(s iam.Statement) bool { return s.Sid == sid })
	require.GreaterOrEqual(t, i, 0, "got no statement %s, want one", sid)
	return d.Statement[i]
}

func TestPolicyGrantsEachStrategyOnlyWhatItUses(t *testing.T) {
	tests := []struct {
		name       string
		args       rotation.PolicyArgs
		wantSids   []string
		wantRotate []string
		wantReads  []string
	}{
		{
			name:       "keyring rotates its own secret only",
			args:       rotation.PolicyArgs{Strategy: config.Keyring},
			wantSids:   []string{rotation.SidRotateOwnSecret, rotation.SidUseSecretsKey, rotation.SidDecryptEnvironment, rotation.SidOwnLogGroup, rotation.SidTracing},
			wantRotate: rotation.RotateActions(),
		},
		{
			name:       "twilio reads its admin secret; its sweeper needs nothing more",
			args:       rotation.PolicyArgs{Strategy: config.Twilio, AdminSecretArn: adminArn},
			wantSids:   []string{rotation.SidRotateOwnSecret, rotation.SidReadAdminSecret, rotation.SidUseSecretsKey, rotation.SidDecryptReadSecrets, rotation.SidDecryptEnvironment, rotation.SidOwnLogGroup, rotation.SidTracing},
			wantRotate: rotation.RotateActions(),
			wantReads:  []string{adminArn},
		},
		{
			name:       "postgres reads the master secret",
			args:       rotation.PolicyArgs{Strategy: config.PostgresAlternatingUsers, MasterSecretArn: masterArn},
			wantSids:   []string{rotation.SidRotateOwnSecret, rotation.SidReadMasterSecret, rotation.SidUseSecretsKey, rotation.SidDecryptReadSecrets, rotation.SidDecryptEnvironment, rotation.SidOwnLogGroup, rotation.SidTracing},
			wantRotate: rotation.RotateActions(),
			wantReads:  []string{masterArn},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.args
			a.Account = iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
			// A group of two: the policy names exactly its members.
			a.SecretArns, a.SecretsKeyArn, a.PlatformKeyArn = []string{secretArn, siblingArn}, secretsKey, platformKey
			a.FunctionArn, a.LogGroupArn = functionArn, logGroupArn
			d := rotation.Policy(a)
			var sids []string
			for _, s := range d.Statement {
				sids = append(sids, s.Sid)
			}
			assert.Equal(t, tt.wantSids, sids, "got statements %v, want %v", sids, tt.wantSids)

			own := statement(t, d, rotation.SidRotateOwnSecret)
			assert.ElementsMatch(t, tt.wantRotate, own.Action, "got actions %v, want %v", own.Action, tt.wantRotate)
			assert.Equal(t, iam.Strings{secretArn, siblingArn}, own.Resource)

			key := statement(t, d, rotation.SidUseSecretsKey)
			assert.Equal(t, iam.Strings{"kms:Decrypt", "kms:GenerateDataKey"}, key.Action)
			assert.Equal(t, iam.Strings{secretsKey}, key.Resource)
			assert.Equal(t, iam.Strings{secretArn, siblingArn}, key.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"])
			assert.Equal(t, iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}, key.Condition["StringEquals"]["kms:ViaService"])

			for _, read := range tt.wantReads {
				dec := statement(t, d, rotation.SidDecryptReadSecrets)
				assert.Equal(t, iam.Strings{"kms:Decrypt"}, dec.Action, "got %v for read-only secrets, want Decrypt only", dec.Action)
				assert.Equal(t, iam.Strings{read}, dec.Condition["StringEquals"]["kms:EncryptionContext:SecretARN"])
			}

			env := statement(t, d, rotation.SidDecryptEnvironment)
			assert.Equal(t, iam.Strings{platformKey}, env.Resource)
			assert.Equal(t, iam.Strings{functionArn}, env.Condition["StringEquals"]["kms:EncryptionContext:aws:lambda:FunctionArn"])

			logs := statement(t, d, rotation.SidOwnLogGroup)
			assert.Equal(t, iam.Strings{logGroupArn, logGroupArn + ":log-stream:*"}, logs.Resource)

			for _, s := range d.Statement {
				if slices.Contains(s.Resource, "*") {
					assert.Equal(t, rotation.SidTracing, s.Sid, "got %s on *, want only X-Ray there", s.Sid)
				}
				assert.NotContains(t, s.Action, "secretsmanager:GetRandomPassword", "got GetRandomPassword, want none: the rotator uses crypto/rand")
			}
			_, err := d.JSON()
			require.NoError(t, err)
		})
	}
}

func TestPolicyViaServiceFollowsThePartition(t *testing.T) {
	tests := []struct{ partition, region, dnsSuffix, want string }{
		{"aws", "eu-west-1", "amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"},
		{"aws-cn", "cn-north-1", "amazonaws.com.cn", "secretsmanager.cn-north-1.amazonaws.com.cn"},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			d := rotation.Policy(rotation.PolicyArgs{
				Strategy: config.PostgresSingleUser, Account: iam.Account{ID: "111122223333", Partition: tt.partition, Region: tt.region, DNSSuffix: tt.dnsSuffix},
				SecretArns: []string{secretArn}, MasterSecretArn: masterArn, SecretsKeyArn: secretsKey, PlatformKeyArn: platformKey,
				FunctionArn: functionArn, LogGroupArn: logGroupArn,
			})
			for _, sid := range []string{rotation.SidUseSecretsKey, rotation.SidDecryptReadSecrets} {
				got := statement(t, d, sid).Condition["StringEquals"]["kms:ViaService"]
				assert.Equal(t, iam.Strings{tt.want}, got, "statement %s: got kms:ViaService %v, want %s", sid, got, tt.want)
			}
		})
	}
}

func TestSettingsFollowTheCatalogEntry(t *testing.T) {
	tests := []struct {
		name   string
		secret config.Secret
		grants []string
		want   map[string]string
	}{
		{
			name:   "twilio",
			secret: config.Secret{Name: "/p/i/twilio", Rotation: config.Rotation{Strategy: config.Twilio, GracePeriod: time.Hour}},
			want:   map[string]string{contract.EnvStrategy: "twilio", contract.EnvAdminSecretARN: adminArn, contract.EnvGracePeriod: "1h0m0s"},
		},
		{
			name:   "http",
			secret: config.Secret{Name: "/p/i/key", KeyAPIBaseURL: "https://keys.example.com", Rotation: config.Rotation{Strategy: config.HTTPKey}},
			want:   map[string]string{contract.EnvStrategy: "http", contract.EnvKeyAPIBaseURL: "https://keys.example.com", contract.EnvAdminSecretARN: adminArn},
		},
		{
			name:   "postgres",
			secret: config.Secret{Name: "/p/a/db", Password: config.Password{Length: 40, ExcludeCharacters: `/@" `}, Rotation: config.Rotation{Strategy: config.PostgresSingleUser}},
			grants: []string{"pg_read_all_data", "pg_write_all_data"},
			want: map[string]string{contract.EnvStrategy: "postgres-single-user", contract.EnvDBGrants: "pg_read_all_data,pg_write_all_data",
				contract.EnvPasswordLength: "40", contract.EnvPasswordExclude: `/@" `,
				contract.EnvDBHost: "db.abc.eu-west-1.rds.amazonaws.com", contract.EnvDBPort: "5432"},
		},
		{
			name:   "random",
			secret: config.Secret{Name: "/p/a/token", Password: config.Password{Length: 48}, Rotation: config.Rotation{Strategy: config.Random}},
			want:   map[string]string{contract.EnvStrategy: "random", contract.EnvPasswordLength: "48"},
		},
		{
			name:   "keyring",
			secret: config.Secret{Name: "/p/a/keys", Rotation: config.Rotation{Strategy: config.Keyring}},
			want:   map[string]string{contract.EnvStrategy: "keyring"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := rotation.Settings(tt.secret, adminArn, tt.grants)
			if st.Strategy.ReadsMasterSecret() {
				// Environment pins the instance's address once it is known.
				st.Database.Host, st.Database.Port = "db.abc.eu-west-1.rds.amazonaws.com", 5432
			}
			got, err := st.Env()
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "got %v, want %v", got, tt.want)
			assert.NotContains(t, got, "AWS_ENDPOINT_URL_SECRETS_MANAGER", "got an endpoint override, want none (private DNS)")
		})
	}
}

func TestEnvironmentRefusesWhatHasNoGoRotator(t *testing.T) {
	_, err := rotation.Environment(rotation.EnvArgs{Secret: config.Secret{Name: "/p/a/db", Rotation: config.Rotation{Strategy: config.Manual}}})
	assert.ErrorContains(t, err, "has no Go rotator")
	_, err = rotation.Environment(rotation.EnvArgs{Secret: config.Secret{Name: "/p/i/twilio", Rotation: config.Rotation{Strategy: config.Twilio}}})
	assert.ErrorContains(t, err, "needs an admin secret")
	_, err = rotation.Environment(rotation.EnvArgs{Secret: config.Secret{Name: "/p/a/db", Rotation: config.Rotation{Strategy: config.PostgresAlternatingUsers}}})
	assert.ErrorContains(t, err, "needs the database's host and port")
}
