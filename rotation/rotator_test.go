package rotation_test

import (
	"slices"
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

// group is a group of two secrets of one strategy, as Groups would make it.
func group(strategy config.Strategy) rotation.Group {
	var members []config.Secret
	for _, short := range []string{"token", "session-key"} {
		members = append(members, config.Secret{Name: "/prod/app/" + short, Group: "app", Short: short, Kind: config.KindPassword,
			Rotation: config.Rotation{Strategy: strategy, Days: 30}})
	}
	return rotation.Group{Name: "prod-rotate-" + string(strategy) + "-0123abcd-0", Settings: contract.Settings{Strategy: contract.Strategy(strategy)}, Secrets: members}
}

func validRotatorArgs(strategy config.Strategy) *rotation.RotatorArgs {
	return &rotation.RotatorArgs{
		Group:       group(strategy),
		Environment: "prod", Account: iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"},
		Code:          artifact.Artifact{Path: "/nonexistent/rotator.zip", SourceCodeHash: "aGFzaA=="},
		SecretsKeyArn: pulumi.String(secretsKey), PlatformKeyArn: pulumi.String(platformKey),
		PermissionsBoundaryArn: "arn:aws:iam::111122223333:policy/secrets-platform-boundary/prod",
		DeadLetterArn:          "arn:aws:sqs:eu-west-1:111122223333:prod-alerts-dead-letters",
	}
}

// withTargets registers a stand-in catalog component per member, the
// parent of its rotation, and fills args.Targets.
func withTargets(t *testing.T, ctx *pulumi.Context, a *rotation.RotatorArgs) *rotation.RotatorArgs {
	t.Helper()
	a.Targets = map[string]rotation.Target{}
	for i, s := range a.Group.Secrets {
		name := "catalog-" + s.Group + "-" + s.Short
		parent := &pulumi.ResourceState{}
		require.NoError(t, ctx.RegisterComponentResource("test:index:Secret", name, parent))
		arn := "arn:aws:secretsmanager:eu-west-1:111122223333:secret:" + s.Name + "-AbCdEf"
		a.Targets[s.Name] = rotation.Target{Arn: pulumi.String(arn).ToStringOutput(), Parent: parent, ParentName: name, Slot: i}
	}
	return a
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
		{"empty group", func() *rotation.RotatorArgs {
			a := validRotatorArgs(config.Random)
			a.Group.Secrets = nil
			return a
		}, "has no secret"},
		{"postgres without the database", func() *rotation.RotatorArgs { return validRotatorArgs(config.PostgresSingleUser) }, "needs MasterSecretArn and Network"},
		{"twilio without its admin secret", func() *rotation.RotatorArgs { return validRotatorArgs(config.Twilio) }, "needs an admin secret"},
		{"a sweep without a dead-letter queue", func() *rotation.RotatorArgs {
			a := validRotatorArgs(config.Twilio)
			a.DeadLetterArn = ""
			return a
		}, "needs DeadLetterArn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := runComponent(t, func(ctx *pulumi.Context) error {
				a := tt.args()
				if a != nil {
					a = withTargets(t, ctx, a)
				}
				_, err := rotation.NewRotator(ctx, "rotation-app", a)
				return err
			})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want, "got %v, want an error containing %q", err, tt.want)
			for _, r := range rec.Resources {
				assert.Equal(t, "test:index:Secret", r.Type, "got %s %s registered, want nothing of the rotator's", r.Type, r.Name)
			}
		})
	}
	t.Run("a member without a target", func(t *testing.T) {
		rec, err := runComponent(t, func(ctx *pulumi.Context) error {
			a := withTargets(t, ctx, validRotatorArgs(config.Random))
			delete(a.Targets, "/prod/app/token")
			_, err := rotation.NewRotator(ctx, "rotation-app", a)
			return err
		})
		assert.ErrorContains(t, err, "secret /prod/app/token has no target")
		_, registered := rec.Named("rotation-app")
		assert.False(t, registered, "got the rotator registered, want nothing")
	})
}

// TestNewRotatorServesItsGroup: one function, role and log group for the
// group; per member an invoke permission under the rotator and the
// rotation and its slot under the member's own catalog component, named
// after it, so a member that changes group keeps them.
func TestNewRotatorServesItsGroup(t *testing.T) {
	rec, err := runComponent(t, func(ctx *pulumi.Context) error {
		_, err := rotation.NewRotator(ctx, "rotation-app", withTargets(t, ctx, validRotatorArgs(config.Random)))
		return err
	})
	require.NoError(t, err)
	comp, ok := rec.Named("rotation-app")
	require.True(t, ok)
	assert.Equal(t, "secrets-platform:rotation:Rotator", comp.Type)
	want := map[string]string{
		"rotation-app-role":                   "aws:iam/role:Role",
		"rotation-app-policy":                 "aws:iam/rolePolicy:RolePolicy",
		"rotation-app-logs":                   "aws:cloudwatch/logGroup:LogGroup",
		"rotation-app-function":               "aws:lambda/function:Function",
		"rotation-app-invoke-app-token":       "aws:lambda/permission:Permission",
		"rotation-app-invoke-app-session-key": "aws:lambda/permission:Permission",
	}
	got := map[string]string{}
	for _, c := range rec.Children(comp) {
		got[c.Name] = c.Type
	}
	assert.Equal(t, want, got, "got children %v, want %v (no VPC access or sweep for random)", got, want)
	fn, _ := rec.Named("rotation-app-function")
	assert.Equal(t, "prod-rotate-random-0123abcd-0", fn.Str("name"))
	fnArn := fn.StateStr("arn")
	for _, s := range group(config.Random).Secrets {
		parent, _ := rec.Named("catalog-app-" + s.Short)
		children := map[string]string{}
		for _, c := range rec.Children(parent) {
			children[c.Name] = c.Type
		}
		assert.Equal(t, map[string]string{
			"catalog-app-" + s.Short + "-rotation": "aws:secretsmanager/secretRotation:SecretRotation",
			"catalog-app-" + s.Short + "-slot":     "random:index/randomInteger:RandomInteger",
		}, children, "%s: got children %v", s.Name, children)
		rot, _ := rec.Named("catalog-app-" + s.Short + "-rotation")
		assert.Equal(t, fnArn, rot.Str("rotationLambdaArn"))
		perm, _ := rec.Named("rotation-app-invoke-app-" + s.Short)
		assert.Equal(t, rot.Str("secretId"), perm.Str("sourceArn"), "the permission names the secret it is for")
		assert.Equal(t, rotation.PermissionStatementID(s.Name), perm.Str("statementId"))
	}
	policy, _ := rec.Named("rotation-app-policy")
	doc, err := iam.Parse(policy.Str("policy"))
	require.NoError(t, err)
	own := doc.Statement[slices.IndexFunc(doc.Statement, func(s iam.Statement) bool { return s.Sid == rotation.SidRotateOwnSecret })]
	assert.Len(t, own.Resource, 2, "got %v, want the group's two secrets", own.Resource)
	logs, _ := rec.Named("rotation-app-logs")
	retention, _ := logs.Int("retentionInDays")
	assert.Equal(t, rotation.LogRetentionDisposableDays, retention, "got %d days, want the disposable retention when Strict is false", retention)
}

// TestAwaitingTargetHasNoRotationYet: a member that waits for a
// prerequisite is served (its permission, in the role) but not scheduled.
func TestAwaitingTargetHasNoRotationYet(t *testing.T) {
	rec, err := runComponent(t, func(ctx *pulumi.Context) error {
		a := withTargets(t, ctx, validRotatorArgs(config.Random))
		tg := a.Targets["/prod/app/token"]
		tg.AwaitingPrerequisite = "/prod/app/admin"
		a.Targets["/prod/app/token"] = tg
		_, err := rotation.NewRotator(ctx, "rotation-app", a)
		return err
	})
	require.NoError(t, err)
	_, scheduled := rec.Named("catalog-app-token-rotation")
	assert.False(t, scheduled, "got a rotation for the awaiting secret, want none")
	_, permitted := rec.Named("rotation-app-invoke-app-token")
	assert.True(t, permitted, "got no invoke permission, want one: the rotation starts with a config change only")
	_, other := rec.Named("catalog-app-session-key-rotation")
	assert.True(t, other, "got no rotation for the other member, want one")
}

// TestKeyringAlarmWatchesTheRotatorsMetric: the alarm names the metric,
// namespace and dimension the rotator writes (rotator/contract), fires at
// the contract's free-slot threshold, notifies the topic both ways and keeps
// its state while no rotation reports.
func TestKeyringAlarmWatchesTheRotatorsMetric(t *testing.T) {
	s := config.Secret{Name: "/prod/app/encryption-key", Group: "app", Short: "encryption-key", Kind: config.KindKeyring,
		Rotation: config.Rotation{Strategy: config.Keyring, Days: 30}}
	const topic = "arn:aws:sns:eu-west-1:111122223333:prod-secrets-alerts"
	g := rotation.Group{Name: "prod-rotate-keyring-0123abcd-0", Settings: contract.Settings{Strategy: contract.Keyring}, Secrets: []config.Secret{s}}
	rec, err := runComponent(t, func(ctx *pulumi.Context) error {
		_, err := rotation.NewKeyringAlarm(ctx, "keyring-near-full-app-encryption-key", &rotation.KeyringAlarmArgs{
			Group: g, FunctionName: pulumi.String(g.Name), TopicArn: pulumi.String(topic),
		})
		return err
	})
	require.NoError(t, err)
	alarm, ok := rec.Named("keyring-near-full-app-encryption-key")
	require.True(t, ok)
	assert.Equal(t, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm.Type)
	assert.Equal(t, "prod-rotate-keyring-0123abcd-0-keyring-near-full", alarm.Str("name"))
	assert.Equal(t, contract.MetricNamespace, alarm.Str("namespace"))
	assert.Equal(t, contract.MetricKeyringFreeSlots, alarm.Str("metricName"))
	assert.Equal(t, g.Name, alarm.Str("dimensions."+contract.MetricDimensionFunction))
	threshold, _ := alarm.Int("threshold")
	assert.Equal(t, contract.KeyringAlarmFreeSlots, threshold)
	assert.Equal(t, "LessThanOrEqualToThreshold", alarm.Str("comparisonOperator"))
	assert.Equal(t, "ignore", alarm.Str("treatMissingData"), "a rotation every few weeks: missing data must keep the state")
	assert.Equal(t, []string{topic}, alarm.Strings("alarmActions"))
	assert.Equal(t, []string{topic}, alarm.Strings("okActions"))

	_, err = runComponent(t, func(ctx *pulumi.Context) error {
		other := g
		other.Settings.Strategy = contract.Random
		_, err := rotation.NewKeyringAlarm(ctx, "x", &rotation.KeyringAlarmArgs{Group: other,
			FunctionName: pulumi.String("f"), TopicArn: pulumi.String(topic)})
		return err
	})
	assert.ErrorContains(t, err, "not keyring")
}
