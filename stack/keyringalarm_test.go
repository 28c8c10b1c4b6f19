package stack_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
)

// TestEveryKeyringHasANearFullAlarm: one alarm per keyring rotator, on the
// metric its rotator writes for every ring it rotates, notifying the alert
// topic.
func TestEveryKeyringHasANearFullAlarm(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, cfg := parsed(t, st)
			var topic string
			require.NoError(t, rotDecode(rec.Outputs["alertTopicArn"].Value, &topic))
			var functions map[string]string
			require.NoError(t, rotDecode(rec.Outputs["rotationFunctions"].Value, &functions))
			keyrings := map[string]bool{}
			for _, s := range cfg.Secrets {
				if s.Rotation.Strategy != config.Keyring {
					continue
				}
				fn := functions[s.Name]
				require.NotEmpty(t, fn, "got no rotation function for keyring %s", s.Name)
				keyrings[fn] = true
				a := rotMust(t, rec, "keyring-near-full-"+strings.TrimPrefix(fn, cfg.Environment+"-"))
				assert.Equal(t, rotation.KeyringAlarmName(fn), a.Str("name"))
				assert.Equal(t, fn, a.Str("dimensions."+contract.MetricDimensionFunction))
				assert.Equal(t, "Minimum", a.Str("statistic"), "the fullest ring of the group fires it")
				assert.Equal(t, contract.MetricKeyringFreeSlots, a.Str("metricName"))
				assert.Equal(t, []string{topic}, a.Strings("alarmActions"))
			}
			var alarms int
			for _, r := range rec.OfType("aws:cloudwatch/metricAlarm:MetricAlarm") {
				if r.Str("metricName") == contract.MetricKeyringFreeSlots {
					alarms++
				}
			}
			assert.Equal(t, len(keyrings), alarms, "keyring alarms: got %d, want one per keyring rotator (%d)", alarms, len(keyrings))
		})
	}
}
