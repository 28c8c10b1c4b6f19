package contract

import (
	"encoding/json"
	"errors"
	"fmt"
)

// ActionRevokeExpired is the only sweep action: revoke the AWSPREVIOUS key of
// each listed secret whose grace has passed.
const ActionRevokeExpired = "revoke-expired"

// SweepEvent is the event a schedule sends to a rotation function whose
// strategy revokes keys. It names the function's secrets, because the
// function's role may touch only them and nothing else lists them.
type SweepEvent struct {
	// Action must be ActionRevokeExpired.
	Action string `json:"action"`
	// SecretIDs are the ARNs of the secrets to sweep.
	SecretIDs []string `json:"secretIds"`
}

// JSON is the event as the schedule's target input.
func (e SweepEvent) JSON() (string, error) {
	if err := e.validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(e)
	if err != nil {
		return "", fmt.Errorf("marshal sweep event: %w", err)
	}
	return string(b), nil
}

func (e SweepEvent) validate() error {
	if e.Action != ActionRevokeExpired || len(e.SecretIDs) == 0 {
		return fmt.Errorf("sweep event: want {\"action\": %q, \"secretIds\": [at least one ARN]}", ActionRevokeExpired)
	}
	for _, id := range e.SecretIDs {
		if id == "" {
			return errors.New("sweep event: an empty secret id")
		}
	}
	return nil
}

// ParseSweepEvent tells a SweepEvent from a Secrets Manager rotation event,
// for the one handler that receives both. The "action" field decides: a
// rotation event has none. An event with one must be a well-formed SweepEvent.
func ParseSweepEvent(raw []byte) (ev SweepEvent, ok bool, err error) {
	var probe struct {
		Action *string `json:"action"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return SweepEvent{}, false, fmt.Errorf("parse event: %w", err)
	}
	if probe.Action == nil {
		return SweepEvent{}, false, nil
	}
	if err := json.Unmarshal(raw, &ev); err != nil {
		return SweepEvent{}, false, fmt.Errorf("parse sweep event: %w", err)
	}
	if err := ev.validate(); err != nil {
		return SweepEvent{}, false, fmt.Errorf("parse %w", err)
	}
	return ev, true, nil
}
