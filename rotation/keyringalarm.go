package rotation

import (
	"errors"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotator/contract"
)

// KeyringAlarmArgs configures the alarm of one keyring rotator.
type KeyringAlarmArgs struct {
	// Environment prefixes the alarm's name. Required.
	Environment string
	// Secret is the key ring's catalog entry (strategy keyring). Required.
	Secret config.Secret
	// FunctionName is the keyring's rotation function, the metric's
	// dimension. Required.
	FunctionName pulumi.StringInput
	// TopicArn is the alert topic the alarm notifies. Required.
	TopicArn pulumi.StringInput
	// Tags are applied to the alarm.
	Tags map[string]string
}

// KeyringAlarmName is {env}-keyring-near-full-{group}-{short}, cut to
// CloudWatch's 255 characters.
func KeyringAlarmName(env string, s config.Secret) string {
	n := env + "-keyring-near-full-" + s.Group + "-" + s.Short
	return n[:min(len(n), 255)]
}

// NewKeyringAlarm registers the alarm that fires when a key ring is
// contract.KeyringAlarmFreeSlots keys from its bound, two rotations before a
// rotation would fail: time to re-encrypt and retire old keys (the keyring
// strategy's retirement procedure). The rotator reports the free slots at
// every createSecret through its log (rotator/metric), so the alarm needs no
// permission on the rotator's side. A rotation happens every few weeks, so
// missing data keeps the last state: once fired, the alarm stays in ALARM
// until a rotation after the retirement reports room again.
func NewKeyringAlarm(ctx *pulumi.Context, name string, args *KeyringAlarmArgs, opts ...pulumi.ResourceOption) (*cloudwatch.MetricAlarm, error) {
	if args == nil {
		return nil, errors.New("new keyring alarm: args are required")
	}
	a := *args
	switch {
	case a.Secret.Rotation.Strategy != config.Keyring:
		return nil, fmt.Errorf("new keyring alarm %s: %s rotates with %q, not keyring", name, a.Secret.Name, a.Secret.Rotation.Strategy)
	case a.Environment == "" || a.FunctionName == nil || a.TopicArn == nil:
		return nil, fmt.Errorf("new keyring alarm %s: Environment, FunctionName and TopicArn are required", name)
	}
	alarmName := KeyringAlarmName(a.Environment, a.Secret)
	alarm, err := cloudwatch.NewMetricAlarm(ctx, name, &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(alarmName),
		AlarmDescription: pulumi.String(fmt.Sprintf("Key ring %s has %d or fewer free slots: re-encrypt data under its oldest keys "+
			"and list them in keyring.retireKeys before a rotation fails", a.Secret.Name, contract.KeyringAlarmFreeSlots)),
		Namespace:          pulumi.String(contract.MetricNamespace),
		MetricName:         pulumi.String(contract.MetricKeyringFreeSlots),
		Dimensions:         pulumi.StringMap{contract.MetricDimensionFunction: a.FunctionName},
		Statistic:          pulumi.String("Minimum"),
		Period:             pulumi.Int(300),
		EvaluationPeriods:  pulumi.Int(1),
		Threshold:          pulumi.Float64(contract.KeyringAlarmFreeSlots),
		ComparisonOperator: pulumi.String("LessThanOrEqualToThreshold"),
		TreatMissingData:   pulumi.String("ignore"),
		AlarmActions:       pulumi.Array{a.TopicArn},
		OkActions:          pulumi.Array{a.TopicArn},
		Tags:               pulumi.ToStringMap(maps.Clone(a.Tags)),
	}, opts...)
	if err != nil {
		return nil, fmt.Errorf("create alarm %s: %w", alarmName, err)
	}
	return alarm, nil
}
