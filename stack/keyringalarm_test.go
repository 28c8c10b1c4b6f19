package stack_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestEveryKeyringHasANearFullAlarm: one alarm per keyring rotator, on the
// metric its rotator writes, notifying the alert topic.
func TestEveryKeyringHasANearFullAlarm(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			var topic string
			require.NoError(t, rotDecode(rec.Outputs["alertTopicArn"].Value, &topic))
			var keyrings int
			for _, s := range cfg.Secrets {
				if s.Rotation.Strategy != config.Keyring {
					continue
				}
				keyrings++
				a := rotMust(t, rec, "keyring-near-full-"+s.Group+"-"+s.Short)
				assert.Equal(t, rotation.KeyringAlarmName(cfg.Environment, s), a.Str("name"))
				assert.Equal(t, rotation.FunctionName(cfg.Environment, s), a.Str("dimensions."+contract.MetricDimensionFunction))
				assert.Equal(t, contract.MetricKeyringFreeSlots, a.Str("metricName"))
				assert.Equal(t, []string{topic}, a.Strings("alarmActions"))
			}
			var alarms int
			for _, r := range rec.OfType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				if r.Str("metricName") == contract.MetricKeyringFreeSlots {
					alarms++
				}
			}
			assert.Equal(t, keyrings, alarms, "keyring alarms: got %d, want one per keyring (%d)", alarms, keyrings)
		})
	}
}
