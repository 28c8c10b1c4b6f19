package grace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ActionRevokeExpired is the only SweepEvent action: revoke the AWSPREVIOUS key
// of a secret whose grace has passed.
const ActionRevokeExpired = "revoke-expired"

// SweepEvent is the small custom event that a schedule sends to the rotator
// Lambda (every 15 minutes, say); the rotator's main tells it apart from a
// Secrets Manager rotation event by its action and hands it to a Sweeper.
type SweepEvent struct {
	// SecretID is the ARN (or name) of the rotated secret.
	SecretID string `json:"secretId"`
	// Action must be ActionRevokeExpired.
	Action string `json:"action"`
}

// ParseSweepEvent tells a SweepEvent from a Secrets Manager rotation event, for
// the rotator's main, whose one handler receives both. The "action" field decides:
// Go's JSON decoding matches names case-insensitively, so a rotation event's
// "SecretId" would fill SecretID too. ok is false for any event without an
// action; an event with one must be a well-formed SweepEvent.
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
	if ev.Action != ActionRevokeExpired || ev.SecretID == "" {
		return SweepEvent{}, false, fmt.Errorf("parse sweep event: want {\"secretId\": ..., \"action\": %q}", ActionRevokeExpired)
	}
	return ev, true, nil
}

// Outcome says what a sweep did, for the rotator's log.
type Outcome string

// Outcomes of a sweep. Only OutcomeRevoked called the provider's revoke.
const (
	// OutcomeNoPrevious: no version is AWSPREVIOUS (the secret never rotated).
	OutcomeNoPrevious Outcome = "no-previous"
	// OutcomeWithinGrace: the previous key may still be in use; see NotBefore.
	OutcomeWithinGrace Outcome = "within-grace"
	// OutcomeNoKey: the previous value holds no key (it was a placeholder).
	OutcomeNoKey Outcome = "no-key"
	// OutcomeKeyInUse: the previous key is also the current or pending key, so
	// revoking it would cut off the live credential; nothing was revoked.
	OutcomeKeyInUse Outcome = "key-in-use"
	// OutcomeRevoked: the previous key is revoked (now, or already before).
	OutcomeRevoked Outcome = "revoked"
)

// Result is what Sweep did. It holds key identifiers, never key secrets.
type Result struct {
	Outcome Outcome
	// KeyID is the previous key's provider id, when one was read.
	KeyID string
	// NotBefore is when the previous key may be revoked, for OutcomeWithinGrace.
	NotBefore time.Time
}

// Sweeper revokes a secret's AWSPREVIOUS key once its grace has passed. It keeps
// no state: every sweep reads the version labels again, and revoking is
// idempotent, so a sweep that repeats or races another is harmless.
type Sweeper struct {
	sm      SecretsManager
	revoker Revoker
	grace   time.Duration
	now     func() time.Time
}

// NewSweeper returns a Sweeper that revokes through revoker after grace, reading
// the time from now.
func NewSweeper(sm SecretsManager, revoker Revoker, grace time.Duration, now func() time.Time) (*Sweeper, error) {
	if sm == nil || revoker == nil || now == nil {
		return nil, errors.New("new sweeper: secrets manager, revoker and clock are required")
	}
	if grace <= 0 {
		return nil, fmt.Errorf("new sweeper: grace %s is not positive", grace)
	}
	return &Sweeper{sm: sm, revoker: revoker, grace: grace, now: now}, nil
}

// Sweep handles one SweepEvent.
func (s *Sweeper) Sweep(ctx context.Context, ev SweepEvent) (Result, error) {
	if ev.Action != ActionRevokeExpired {
		return Result{}, fmt.Errorf("sweep: unknown action %q, want %q", ev.Action, ActionRevokeExpired)
	}
	if ev.SecretID == "" {
		return Result{}, errors.New("sweep: event has no secretId")
	}
	res, _, err := s.sweep(ctx, ev.SecretID)
	if err != nil {
		return Result{}, fmt.Errorf("sweep %s: %w", ev.SecretID, err)
	}
	return res, nil
}

// sweep revokes the previous key of secretID when its grace has passed. It also
// returns the labels it read, for the Gate.
func (s *Sweeper) sweep(ctx context.Context, secretID string) (Result, stages, error) {
	st, err := readStages(ctx, s.sm, secretID)
	if err != nil {
		return Result{}, stages{}, err
	}
	res, err := s.sweepStages(ctx, secretID, st)
	return res, st, err
}

// sweepStages is sweep once the labels are known.
func (s *Sweeper) sweepStages(ctx context.Context, secretID string, st stages) (Result, error) {
	if st.previous == "" {
		return Result{Outcome: OutcomeNoPrevious}, nil
	}
	if st.previous == st.current || st.previous == st.pending {
		return Result{Outcome: OutcomeKeyInUse}, nil
	}
	notBefore := st.switched.Add(s.grace)
	if !s.now().After(notBefore) {
		// Nothing is read before the grace has passed: sweeps are frequent and
		// each GetSecretValue is billed.
		return Result{Outcome: OutcomeWithinGrace, NotBefore: notBefore}, nil
	}
	prev, ok, err := readVersion(ctx, s.sm, secretID, st.previous)
	if err != nil {
		return Result{}, err
	}
	if !ok {
		return Result{Outcome: OutcomeNoKey}, nil
	}
	keyID, err := s.revoker.KeyID(prev)
	if err != nil {
		return Result{}, fmt.Errorf("read key id of previous version %s: %w", prev.ID, err)
	}
	if keyID == "" {
		return Result{Outcome: OutcomeNoKey}, nil
	}
	inUse, err := s.keyInUse(ctx, secretID, keyID, st)
	if err != nil {
		return Result{}, err
	}
	if inUse {
		return Result{Outcome: OutcomeKeyInUse, KeyID: keyID}, nil
	}
	if err := s.revoker.Revoke(ctx, prev); err != nil {
		return Result{}, fmt.Errorf("revoke previous key %s: %w", keyID, err)
	}
	return Result{Outcome: OutcomeRevoked, KeyID: keyID}, nil
}

// keyInUse reports whether the current or pending value holds keyID: a value
// copied by hand, or a retried rotation, must never lose its live key.
func (s *Sweeper) keyInUse(ctx context.Context, secretID, keyID string, st stages) (bool, error) {
	for _, id := range []string{st.current, st.pending} {
		if id == "" {
			continue
		}
		v, ok, err := readVersion(ctx, s.sm, secretID, id)
		if err != nil {
			return false, err
		}
		if !ok {
			continue
		}
		other, err := s.revoker.KeyID(v)
		if err != nil {
			// An unreadable live value cannot prove the key is unused.
			return false, fmt.Errorf("read key id of version %s: %w", id, err)
		}
		if other == keyID {
			return true, nil
		}
	}
	return false, nil
}
