// Package metric writes the rotator's CloudWatch metrics in the embedded
// metric format (EMF): one JSON object per line on the function's standard
// output, which Lambda sends to the function's log group, where CloudWatch
// extracts the metric. It therefore needs no permission beyond writing the
// log group the function already has (no cloudwatch:PutMetricData).
//
// Every metric is in contract.MetricNamespace with one dimension,
// contract.MetricDimensionFunction, the rotation function's name; the
// program's alarms name the same namespace, metric and dimension.
package metric

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/acme/secrets-platform/rotator/contract"
)

// Emitter writes EMF lines for one rotation function. It is safe for
// concurrent use.
type Emitter struct {
	mu       sync.Mutex
	out      io.Writer
	function string
	now      func() time.Time
}

// New returns an Emitter writing to out for the function named function
// (lambdacontext.FunctionName in the Lambda), stamping lines with now.
func New(out io.Writer, function string, now func() time.Time) (*Emitter, error) {
	if out == nil || function == "" || now == nil {
		return nil, errors.New("new metric emitter: output, function name and clock are required")
	}
	return &Emitter{out: out, function: function, now: now}, nil
}

// KeyringFreeSlots records how many more keys a ring can take
// (contract.MetricKeyringFreeSlots). A nil Emitter records nothing, for
// strategies built outside a Lambda.
func (e *Emitter) KeyringFreeSlots(n int) error {
	if e == nil {
		return nil
	}
	return e.emit(contract.MetricKeyringFreeSlots, float64(n), "Count")
}

// emit writes one metric as one EMF line.
func (e *Emitter) emit(name string, value float64, unit string) error {
	line := map[string]any{
		"_aws": map[string]any{
			"Timestamp": e.now().UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  contract.MetricNamespace,
				"Dimensions": [][]string{{contract.MetricDimensionFunction}},
				"Metrics":    []any{map[string]string{"Name": name, "Unit": unit}},
			}},
		},
		contract.MetricDimensionFunction: e.function,
		name:                             value,
	}
	b, err := json.Marshal(line)
	if err != nil {
		return fmt.Errorf("encode metric %s: %w", name, err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, err := e.out.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("write metric %s: %w", name, err)
	}
	return nil
}
