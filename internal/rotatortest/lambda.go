package rotatortest

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/secrets-platform/internal/testenv"
)

// LambdaRotator returns a Rotator that invokes a compiled rotation function
// under aws-lambda-rie, as Secrets Manager invokes it: one POSTed event per
// step. A function error becomes an error carrying the function's errorType
// and errorMessage (the engine's messages hold no secret values).
func LambdaRotator(l *testenv.Lambda) Rotator { return lambdaRotator{l} }

type lambdaRotator struct{ l *testenv.Lambda }

func (r lambdaRotator) Handle(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error {
	payload, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("encode %s event: %w", ev.Step, err)
	}
	res, err := r.l.Invoke(ctx, payload)
	if err != nil {
		return fmt.Errorf("invoke %s: %w", ev.Step, err)
	}
	if res.FunctionError != "" {
		var doc struct {
			ErrorMessage string `json:"errorMessage"`
		}
		_ = json.Unmarshal(res.Payload, &doc) // a payload that is not the usual document still fails below
		return fmt.Errorf("%s: function error %s: %s", ev.Step, res.FunctionError, doc.ErrorMessage)
	}
	return nil
}
