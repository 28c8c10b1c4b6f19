package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/grace"
)

// dispatcher is the Lambda handler: one function receives both Secrets
// Manager's rotation events and the schedule's sweep events.
type dispatcher struct {
	rotate func(ctx context.Context, ev events.SecretsManagerSecretRotationEvent) error
	// sweep is nil for strategies that revoke nothing.
	sweep func(ctx context.Context, secretIDs []string) ([]grace.Result, error)
	log   *slog.Logger
}

// errNoSweeper answers a sweep event sent to a function whose strategy has no
// keys to revoke: a wiring mistake worth failing loudly.
var errNoSweeper = errors.New("this rotator's strategy revokes no keys; the sweep event is misrouted")

// Handle routes an event by its shape (contract.ParseSweepEvent decides).
func (d *dispatcher) Handle(ctx context.Context, raw json.RawMessage) error {
	sweep, ok, err := contract.ParseSweepEvent(raw)
	if err != nil {
		return err
	}
	if ok {
		if d.sweep == nil {
			return errNoSweeper
		}
		// The results of the secrets that were swept are logged even when
		// others failed; the error names the failed ones. A result names the
		// provider's id of the previous key, never the key.
		results, err := d.sweep(ctx, sweep.SecretIDs)
		for _, r := range results {
			d.log.InfoContext(ctx, "sweep", "secret", r.SecretID, "outcome", string(r.Outcome), "keyId", r.KeyID, "notBefore", r.NotBefore)
		}
		return err
	}
	var ev events.SecretsManagerSecretRotationEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		return fmt.Errorf("parse rotation event: %w", err)
	}
	return d.rotate(ctx, ev)
}
