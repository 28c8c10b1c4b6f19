package rotation

import (
	"errors"
	"fmt"
	"maps"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/rotator/contract"
)

// KeyringAlarmArgs configures the alarm of one keyring rotator.
type KeyringAlarmArgs struct {
	// Group is the keyring rotator's group (strategy keyring); its name
	// starts the alarm's. Required.
	Group Group
	// FunctionName is the group's rotation function, the metric's
	// dimension: the Minimum statistic makes the fullest ring of the group
	// fire it. Required.
	FunctionName pulumi.StringInput
	// TopicArn is the alert topic the alarm notifies. Required.
	TopicArn pulumi.StringInput
	// Tags are applied to the alarm.
	Tags map[string]string
}

// KeyringAlarmName is {group}-keyring-near-full; a group's name starts with
// the environment, which the alert topic's policy requires of an alarm.
func KeyringAlarmName(group string) string { return group + "-keyring-near-full" }

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
	case a.Group.Settings.Strategy != contract.Keyring:
		return nil, fmt.Errorf("new keyring alarm %s: group %s rotates with %q, not keyring", name, a.Group.Name, a.Group.Settings.Strategy)
	case a.FunctionName == nil || a.TopicArn == nil:
		return nil, fmt.Errorf("new keyring alarm %s: FunctionName and TopicArn are required", name)
	}
	alarmName := KeyringAlarmName(a.Group.Name)
	alarm, err := cloudwatch.NewMetricAlarm(ctx, name, &cloudwatch.MetricAlarmArgs{
		Name: pulumi.String(alarmName),
		AlarmDescription: pulumi.String(fmt.Sprintf("A key ring rotated by %s has %d or fewer free slots (the function's log names it): "+
			"re-encrypt data under its oldest keys and list them in keyring.retireKeys before a rotation fails", a.Group.Name, contract.KeyringAlarmFreeSlots)),
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
