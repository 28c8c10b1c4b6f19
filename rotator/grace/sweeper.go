package grace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acme/secrets-platform/rotator/contract"
)

// Outcome says what a sweep did, for the rotator's log.
type Outcome string

// Outcomes of a sweep. Only OutcomeRevoked called the provider's revoke.
const (
	// OutcomeNoPrevious: no version is AWSPREVIOUS (the secret never rotated).
	OutcomeNoPrevious Outcome = "no-previous"
	// OutcomeWithinGrace: the previous key may still be in use; see NotBefore.
	OutcomeWithinGrace Outcome = "within-grace"
	// OutcomeNoKey: the previous value holds no key (it was the program's
	// placeholder, or a value awaiting its first key).
	OutcomeNoKey Outcome = "no-key"
	// OutcomeKeyInUse: the previous key is also the current or pending key, so
	// revoking it would cut off the live credential; nothing was revoked.
	OutcomeKeyInUse Outcome = "key-in-use"
	// OutcomeRevoked: the previous key is revoked (now, or already before).
	OutcomeRevoked Outcome = "revoked"
)

// Result is what Sweep did to one secret. It holds key identifiers, never key
// secrets.
type Result struct {
	// SecretID is the swept secret, as the event named it.
	SecretID string
	Outcome  Outcome
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

// NewSweeper returns a Sweeper that revokes through revoker after grace (zero
// means DefaultPeriod), reading the time from now.
func NewSweeper(sm SecretsManager, revoker Revoker, grace time.Duration, now func() time.Time) (*Sweeper, error) {
	if sm == nil || revoker == nil || now == nil {
		return nil, errors.New("new sweeper: secrets manager, revoker and clock are required")
	}
	if grace == 0 {
		grace = DefaultPeriod
	}
	if grace < 0 {
		return nil, fmt.Errorf("new sweeper: grace %s is negative", grace)
	}
	return &Sweeper{sm: sm, revoker: revoker, grace: grace, now: now}, nil
}

// Sweep handles the secrets of one contract.SweepEvent, each on its own: a
// failure on one secret does not stop the others. It returns the results of
// the secrets it swept, and an error naming every secret it could not.
func (s *Sweeper) Sweep(ctx context.Context, secretIDs []string) ([]Result, error) {
	results := make([]Result, 0, len(secretIDs))
	var failed []string
	var errs []error
	for _, id := range secretIDs {
		res, _, err := s.sweep(ctx, id)
		if err != nil {
			failed = append(failed, id)
			errs = append(errs, fmt.Errorf("sweep %s: %w", id, err))
			continue
		}
		res.SecretID = id
		results = append(results, res)
	}
	if len(failed) > 0 {
		return results, fmt.Errorf("sweep %d of %d secrets failed (%s): %w",
			len(failed), len(secretIDs), strings.Join(failed, ", "), errors.Join(errs...))
	}
	return results, nil
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

// sweepStages is sweep once the labels are known. The grace counts from the
// switch label on the AWSCURRENT version (decision D4); a current version
// without one is labelled now, so its grace starts no earlier than this
// sweep.
func (s *Sweeper) sweepStages(ctx context.Context, secretID string, st stages) (Result, error) {
	if err := removeOldSwitchLabels(ctx, s.sm, secretID, st); err != nil {
		return Result{}, err
	}
	if st.previous == "" {
		return Result{Outcome: OutcomeNoPrevious}, nil
	}
	if st.previous == st.current || st.previous == st.pending {
		return Result{Outcome: OutcomeKeyInUse}, nil
	}
	if st.previous == st.revoked {
		// Revoked by an earlier sweep: a steady state costs one DescribeSecret.
		return Result{Outcome: OutcomeRevoked}, nil
	}
	if st.switched.IsZero() {
		now := s.now()
		if err := labelSwitch(ctx, s.sm, secretID, st.current, now); err != nil {
			return Result{}, err
		}
		// The label holds whole seconds; the grace counts from the label.
		st.switched = now.Truncate(time.Second)
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
	if !ok || contract.IsPlaceholder(prev.Value) {
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
	// Without the label the next sweep revokes again, which is harmless.
	if err := markRevoked(ctx, s.sm, secretID, prev.ID, st.revoked); err != nil {
		return Result{}, fmt.Errorf("revoked previous key %s: %w", keyID, err)
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
