package metric_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/metric"
)

// TestKeyringFreeSlotsIsOneEMFLine checks the line against the embedded
// metric format specification (AWS CloudWatch User Guide, "Specification:
// Embedded metric format"): a root _aws object with a millisecond Timestamp
// and CloudWatchMetrics directives whose dimension and metric names are
// root members.
func TestKeyringFreeSlotsIsOneEMFLine(t *testing.T) {
	var out bytes.Buffer
	at := time.UnixMilli(1796380215123)
	e, err := metric.New(&out, "prod-rotate-app-encryption-key", func() time.Time { return at })
	require.NoError(t, err)
	require.NoError(t, e.KeyringFreeSlots(2))

	lines := bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n"))
	require.Len(t, lines, 1, "got %q, want one line", out.String())
	var got struct {
		AWS struct {
			Timestamp         int64
			CloudWatchMetrics []struct {
				Namespace  string
				Dimensions [][]string
				Metrics    []struct{ Name, Unit string }
			}
		} `json:"_aws"`
		FunctionName     string
		KeyringFreeSlots float64
	}
	require.NoError(t, json.Unmarshal(lines[0], &got), "line %s", lines[0])
	assert.Equal(t, at.UnixMilli(), got.AWS.Timestamp)
	require.Len(t, got.AWS.CloudWatchMetrics, 1)
	d := got.AWS.CloudWatchMetrics[0]
	assert.Equal(t, contract.MetricNamespace, d.Namespace)
	assert.Equal(t, [][]string{{contract.MetricDimensionFunction}}, d.Dimensions)
	require.Len(t, d.Metrics, 1)
	assert.Equal(t, contract.MetricKeyringFreeSlots, d.Metrics[0].Name)
	assert.Equal(t, "Count", d.Metrics[0].Unit)
	assert.Equal(t, "prod-rotate-app-encryption-key", got.FunctionName)
	assert.Equal(t, 2.0, got.KeyringFreeSlots)
}

func TestNilEmitterRecordsNothing(t *testing.T) {
	var e *metric.Emitter
	assert.NoError(t, e.KeyringFreeSlots(1))
	_, err := metric.New(&bytes.Buffer{}, "", time.Now)
	assert.Error(t, err, "an emitter without a function name")
}
