package rotation_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/rotator/contract"
)

// runComponent registers one component under the mocks with the committed
// prod stack's config and returns its error and what was registered.
func runComponent(t *testing.T, register func(ctx *pulumi.Context) error) (*mockrun.Recording, error) {
	t.Helper()
	st, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	return mockrun.Run(st, func(ctx *pulumi.Context) (map[string]pulumi.Input, error) {
		return map[string]pulumi.Input{}, register(ctx)
	})
}

func validRotatorArgs(strategy config.Strategy) *rotation.RotatorArgs {
	return &rotation.RotatorArgs{
		Secret:      config.Secret{Name: "/prod/app/token", Group: "app", Short: "token", Kind: config.KindPassword, Rotation: config.Rotation{Strategy: strategy, Days: 30}},
		SecretArn:   pulumi.String(secretArn),
		Environment: "prod", Account: iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"},
		Code:          artifact.Artifact{Path: "/nonexistent/rotator.zip", SourceCodeHash: "aGFzaA=="},
		SecretsKeyArn: pulumi.String(secretsKey), PlatformKeyArn: pulumi.String(platformKey),
		PermissionsBoundaryArn: "arn:aws:iam::111122223333:policy/secrets-platform-boundary/prod",
	}
}

func TestNewRotatorRefusesIncompleteArgsBeforeRegistering(t *testing.T) {
	tests := []struct {
		name string
		args func() *rotation.RotatorArgs
		want string
	}{
		{"nil args", func() *rotation.RotatorArgs { return nil }, "args are required"},
		{"manual strategy", func() *rotation.RotatorArgs { return validRotatorArgs(config.Manual) }, "has no Go rotator"},
		{"no code", func() *rotation.RotatorArgs {
			a := validRotatorArgs(config.Random)
			a.Code = artifact.Artifact{}
			return a
		}, "Code is required"},
		{"no key", func() *rotation.RotatorArgs {
			a := validRotatorArgs(config.Random)
			a.PlatformKeyArn = nil
			return a
		}, "PlatformKeyArn are required"},
		{"no DNS suffix", func() *rotation.RotatorArgs {
			a := validRotatorArgs(config.Random)
			a.Account.DNSSuffix = ""
			return a
		}, "DNSSuffix"},
		{"postgres without the database", func() *rotation.RotatorArgs { return validRotatorArgs(config.PostgresSingleUser) }, "needs MasterSecretArn and Network"},
		{"twilio without its admin secret", func() *rotation.RotatorArgs { return validRotatorArgs(config.Twilio) }, "needs an admin secret"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := runComponent(t, func(ctx *pulumi.Context) error {
				_, err := rotation.NewRotator(ctx, "rotation-app-token", tt.args())
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want, "got %v, want an error containing %q", err, tt.want)
			assert.Empty(t, rec.Resources, "got %d resources registered, want none", len(rec.Resources))
		})
	}
}

func TestNewRotatorRegistersEverythingUnderItself(t *testing.T) {
	rec, err := runComponent(t, func(ctx *pulumi.Context) error {
		_, err := rotation.NewRotator(ctx, "rotation-app-token", validRotatorArgs(config.Random))
		return err
	})
	require.NoError(t, err)
	comp, ok := rec.Named("rotation-app-token")
	require.True(t, ok)
	assert.Equal(t, "secrets-platform:rotation:Rotator", comp.Type)
	want := map[string]string{
		"rotation-app-token-role":              "aws:iam/role:Role",
		"rotation-app-token-policy":            "aws:iam/rolePolicy:RolePolicy",
		"rotation-app-token-logs":              "aws:cloudwatch/logGroup:LogGroup",
		"rotation-app-token-function":          "aws:lambda/function:Function",
		"rotation-app-token-invoke-permission": "aws:lambda/permission:Permission",
		"rotation-app-token-rotation":          "aws:secretsmanager/secretRotation:SecretRotation",
		"rotation-app-token-slot":              "random:index/randomInteger:RandomInteger",
	}
	got := map[string]string{}
	for _, c := range rec.Children(comp) {
		got[c.Name] = c.Type
	}
	assert.Equal(t, want, got, "got children %v, want %v (no VPC access or sweep for random)", got, want)
	fn, _ := rec.Named("rotation-app-token-function")
	assert.Equal(t, "prod-rotate-app-token", fn.Str("name"))
	logs, _ := rec.Named("rotation-app-token-logs")
	retention, _ := logs.Int("retentionInDays")
	assert.Equal(t, rotation.LogRetentionDisposableDays, retention, "got %d days, want the disposable retention when Strict is false", retention)
}

// TestKeyringAlarmWatchesTheRotatorsMetric: the alarm names the metric,
// namespace and dimension the rotator writes (rotator/contract), fires at
// the contract's free-slot threshold, notifies the topic both ways and keeps
// its state while no rotation reports.
func TestKeyringAlarmWatchesTheRotatorsMetric(t *testing.T) {
	s := config.Secret{Name: "/prod/app/encryption-key", Group: "app", Short: "encryption-key", Kind: config.KindKeyring,
		Rotation: config.Rotation{Strategy: config.Keyring, Days: 30}}
	const topic = "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	rec, err := runComponent(t, func(ctx *pulumi.Context) error {
		_, err := rotation.NewKeyringAlarm(ctx, "keyring-near-full-app-encryption-key", &rotation.KeyringAlarmArgs{
			Environment: "prod", Secret: s, FunctionName: pulumi.String("prod-rotate-app-encryption-key"), TopicArn: pulumi.String(topic),
		})
		return err
	})
	require.NoError(t, err)
	alarm, ok := rec.Named("keyring-near-full-app-encryption-key")
	require.True(t, ok)
	assert.Equal(t, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm.Type)
	assert.Equal(t, "prod-keyring-near-full-app-encryption-key", alarm.Str("name"))
	assert.Equal(t, contract.MetricNamespace, alarm.Str("namespace"))
	assert.Equal(t, contract.MetricKeyringFreeSlots, alarm.Str("metricName"))
	assert.Equal(t, "prod-rotate-app-encryption-key", alarm.Str("dimensions."+contract.MetricDimensionFunction))
	threshold, _ := alarm.Int("threshold")
	assert.Equal(t, contract.KeyringAlarmFreeSlots, threshold)
	assert.Equal(t, "LessThanOrEqualToThreshold", alarm.Str("comparisonOperator"))
	assert.Equal(t, "ignore", alarm.Str("treatMissingData"), "a rotation every few weeks: missing data must keep the state")
	assert.Equal(t, []string{topic}, alarm.Strings("alarmActions"))
	assert.Equal(t, []string{topic}, alarm.Strings("okActions"))

	_, err = runComponent(t, func(ctx *pulumi.Context) error {
		other := s
		other.Rotation.Strategy = config.Random
		_, err := rotation.NewKeyringAlarm(ctx, "x", &rotation.KeyringAlarmArgs{Environment: "prod", Secret: other,
			FunctionName: pulumi.String("f"), TopicArn: pulumi.String(topic)})
		return err
	})
	assert.ErrorContains(t, err, "not keyring")
}
