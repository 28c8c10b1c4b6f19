package grace

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// ErrPreviousKeyInGrace is returned by Gate.Check when a new rotation would move
// the AWSPREVIOUS label off a key that clients may still use and that nobody has
// revoked yet: finishing that rotation would strand a live key.
var ErrPreviousKeyInGrace = errors.New("previous key is still inside its grace period")

// Gate guards the start of a rotation. Of the two safe choices for a previous key
// that is still unrevoked (wait, or revoke), it takes both in turn: it revokes
// the key when its grace has passed (the sweep simply runs early), and refuses to
// start while the grace runs, because revoking then would break clients. An
// operator who must rotate at once (a leaked key) revokes the previous key by
// hand first; the Gate asks the provider, sees it gone, and lets the rotation run.
type Gate struct {
	sweeper *Sweeper
}

// NewGate returns a Gate with the same dependencies as a Sweeper (grace zero
// means DefaultPeriod).
func NewGate(sm SecretsManager, revoker Revoker, grace time.Duration, now func() time.Time) (*Gate, error) {
	s, err := NewSweeper(sm, revoker, grace, now)
	if err != nil {
		return nil, fmt.Errorf("new gate: %w", err)
	}
	return &Gate{sweeper: s}, nil
}

// Check runs at the start of a strategy's Create, before a new key is minted.
// It returns nil when the rotation may go ahead, after revoking an expired
// previous key; an error wrapping ErrPreviousKeyInGrace when it must wait.
//
// It reads the labels from r.Stages, which the engine fills from the step's
// own DescribeSecret, and describes the secret itself only without them.
func (g *Gate) Check(ctx context.Context, r engine.Rotation) error {
	st, err := g.stages(ctx, r)
	if err != nil {
		return fmt.Errorf("check previous key of %s: %w", r.SecretARN, err)
	}
	res, err := g.sweeper.sweepStages(ctx, r.SecretARN, st)
	if err != nil {
		return fmt.Errorf("check previous key of %s: %w", r.SecretARN, err)
	}
	if res.Outcome != OutcomeWithinGrace {
		return nil
	}
	// Inside the grace the sweep read no value; asking the provider about the
	// previous key needs it.
	prev, ok, err := readVersion(ctx, g.sweeper.sm, r.SecretARN, st.previous)
	if err != nil {
		return fmt.Errorf("check previous key of %s: %w", r.SecretARN, err)
	}
	if !ok || contract.IsPlaceholder(prev.Value) {
		return nil
	}
	keyID, err := g.sweeper.revoker.KeyID(prev)
	if err != nil {
		return fmt.Errorf("read key id of previous version %s: %w", prev.ID, err)
	}
	if keyID == "" {
		return nil
	}
	inUse, err := g.sweeper.keyInUse(ctx, r.SecretARN, keyID, st)
	if err != nil {
		return fmt.Errorf("check previous key of %s: %w", r.SecretARN, err)
	}
	if inUse {
		return nil
	}
	active, err := g.sweeper.revoker.Active(ctx, prev)
	if err != nil {
		return fmt.Errorf("check previous key %s: %w", keyID, err)
	}
	if !active {
		return nil
	}
	return fmt.Errorf("secret %s: key %s (AWSPREVIOUS) may be in use until %s; rotate after that, "+
		"or revoke key %s at the provider first: %w",
		r.SecretARN, keyID, res.NotBefore.UTC().Format(time.RFC3339), keyID, ErrPreviousKeyInGrace)
}

// stages are the labels of r's secret: the engine's, else read.
func (g *Gate) stages(ctx context.Context, r engine.Rotation) (stages, error) {
	if r.Stages == nil {
		return readStages(ctx, g.sweeper.sm, r.SecretARN)
	}
	return stagesOf(r.SecretARN, r.Stages)
}
