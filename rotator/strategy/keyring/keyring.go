// Package keyring is the rotation strategy for the field-encryption key ring
// that applications use through secretcache/keyring.
//
// A ring looks like this:
//
//	{"active": "<id>", "keys": {"<id>": "<base64 of 32 bytes>", ...}}
//
// Create adds a fresh random 32-byte key under a new id and makes it active,
// keeping every older key: data encrypted under any of them stays readable.
// Keeping them in the value itself matters because AWSPREVIOUS holds a single
// older version, so after two rotations a key held only there would be gone.
// Test proves that the pending ring kept every current key unchanged (minus
// the ones explicitly retired) and that its new key encrypts and decrypts. A
// pending ring equal to the current one is what Secrets Manager's
// configuration test hands Test (a copy of AWSCURRENT); it passes.
//
// The first value is the program's placeholder (decision D3): the first
// rotation makes the ring's first key here, in the rotator, so no key ever
// passes through Pulumi. A ring written by hand,
// {"active":"k1","keys":{"k1":"<base64>"}}, or a bare base64 32-byte key (the
// legacy single-key value, which becomes a ring with id "k1") is also
// accepted. A placeholder AWSCURRENT behind a real AWSPREVIOUS never reaches
// the strategy (the engine refuses it): a ring must never restart empty.
//
// # Bound on the ring
//
// A ring holds at most contract.Ring.MaxKeys keys. A rotation that would exceed it
// fails (Secrets Manager reports the rotation as failed and AWSCURRENT stays
// as it is); it never drops an old key to make room, since that could make
// data unreadable. The way out is retirement. Every Create reports how many
// more keys the ring can take (contract.MetricKeyringFreeSlots), and the
// program's alarm fires at contract.KeyringAlarmFreeSlots, two rotations
// before the ring jams.
//
// # Retiring a key
//
// A key is removed only by this explicit procedure, after the data under it is
// gone:
//
//  1. Rotate, so that a newer key is active and new writes stop using the old one.
//  2. Re-encrypt: every application rewrites its data still under the old id
//     (keyring.KeyID(ciphertext) names the key; decrypt, then encrypt again with
//     the active key), and confirms that nothing under the old id remains.
//  3. Add the id to the rotator's contract.Ring.Retire (a reviewed change of
//     the stack) and rotate again. That rotation's Create
//     drops the listed ids (never the active one) while adding the new key, and
//     its Test checks that exactly those ids went.
//  4. The previous ring stays readable as AWSPREVIOUS until the next rotation:
//     if some data turns out to need the retired key, restore it from there
//     before rotating again. Ids already gone from the ring are ignored, so the
//     list can be cleared at leisure.
package keyring

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/secretcache/keyring"
)

// DefaultMaxKeys is the ring bound when contract.Ring.MaxKeys is zero: with
// rotation every 90 days it is two years and more of keys.
const DefaultMaxKeys = 10

// ErrRingFull means a rotation would push the ring over its bound.
var ErrRingFull = errors.New("key ring is full: re-encrypt data under old keys and retire them (see the keyring strategy's retirement procedure)")

// Metrics receives how many more keys the ring can take after each Create
// (a *metric.Emitter in the Lambda).
type Metrics interface {
	KeyringFreeSlots(n int) error
}

// Strategy rotates a key ring. It implements engine.Strategy and
// engine.ValueNeeds.
type Strategy struct {
	maxKeys int
	retire  []string
	rnd     io.Reader
	now     func() time.Time
	metrics Metrics
}

// New returns a strategy that keeps at most r.MaxKeys keys (zero:
// DefaultMaxKeys) and drops the r.Retire ids at its next Create. rnd is the
// randomness source (nil: crypto/rand), now the clock used in new key ids
// (nil: time.Now) and m receives the free slots (nil: nothing does).
func New(r contract.Ring, rnd io.Reader, now func() time.Time, m Metrics) (*Strategy, error) {
	maxKeys := r.MaxKeys
	if maxKeys == 0 {
		maxKeys = DefaultMaxKeys
	}
	if maxKeys < 2 || maxKeys > keyring.MaxKeys {
		return nil, fmt.Errorf("new keyring strategy: max keys %d: want 2 to %d", maxKeys, keyring.MaxKeys)
	}
	if rnd == nil {
		rnd = rand.Reader
	}
	if now == nil {
		now = time.Now
	}
	return &Strategy{maxKeys: maxKeys, retire: r.Retire, rnd: rnd, now: now, metrics: m}, nil
}

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return string(contract.Keyring) }

// Needs implements engine.ValueNeeds: only Test reads, both rings.
func (s *Strategy) Needs() engine.Needs {
	return engine.Needs{CurrentInTest: true, PendingInTest: true}
}

// Create implements engine.Strategy: the current ring, minus the retired ids,
// plus a new active key; from the program's placeholder, a ring of one new
// key.
func (s *Strategy) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	key := make([]byte, keyring.KeySize)
	if _, err := io.ReadFull(s.rnd, key); err != nil {
		return nil, fmt.Errorf("read random key: %w", err)
	}
	if r.Current.Placeholder {
		id, err := s.newID(nil)
		if err != nil {
			return nil, err
		}
		ring, err := keyring.New(id, key)
		if err != nil {
			return nil, err
		}
		s.report(ring.Len())
		return ring.Marshal()
	}
	ring, err := keyring.Parse(r.Current.Value)
	if err != nil {
		return nil, fmt.Errorf("read current version %s: %w", r.Current.ID, err)
	}
	for _, id := range s.retire {
		if !ring.Has(id) {
			continue // retired at an earlier rotation
		}
		if ring, err = ring.Without(id); err != nil {
			return nil, err
		}
	}
	if ring.Len() >= s.maxKeys {
		s.report(ring.Len())
		return nil, fmt.Errorf("%w: it holds %d keys, the limit is %d", ErrRingFull, ring.Len(), s.maxKeys)
	}
	id, err := s.newID(ring)
	if err != nil {
		return nil, err
	}
	if ring, err = ring.WithActiveKey(id, key); err != nil {
		return nil, err
	}
	s.report(ring.Len())
	return ring.Marshal()
}

// report emits how many more keys a ring of n keys can take. A lost metric
// must not fail the rotation, and the alarm keeps its state while data is
// missing, so a write error is dropped here on purpose.
func (s *Strategy) report(n int) {
	if s.metrics != nil {
		_ = s.metrics.KeyringFreeSlots(max(s.maxKeys-n, 0))
	}
}

// newID names a key by its creation time, so that ids sort by age and an
// operator can tell old keys at a glance, plus a random suffix, so that an id
// is never reused even for a retired key (data under a retired key must fail
// to decrypt, not decrypt with a stranger).
func (s *Strategy) newID(ring *keyring.Ring) (string, error) {
	suffix := make([]byte, 4)
	if _, err := io.ReadFull(s.rnd, suffix); err != nil {
		return "", fmt.Errorf("read random key id: %w", err)
	}
	id := "k" + s.now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(suffix)
	if ring != nil && ring.Has(id) {
		return "", fmt.Errorf("new key id %q already in the ring", id)
	}
	return id, nil
}

// Set implements engine.Strategy: the ring has no downstream service;
// applications pick it up from Secrets Manager.
func (s *Strategy) Set(context.Context, engine.Rotation) error { return nil }

// Test implements engine.Strategy. It guards against data loss before the new
// ring becomes current: every current key is still there with the same bytes
// unless it was listed for retirement, the active key is new, and it works.
// A pending ring equal to the current one (Secrets Manager's configuration
// test) only has to work. A first ring, made from the placeholder, must hold
// exactly its active key.
func (s *Strategy) Test(_ context.Context, r engine.Rotation) error {
	next, err := keyring.Parse(r.Pending.Value)
	if err != nil {
		return fmt.Errorf("read pending version %s: %w", r.Pending.ID, err)
	}
	if r.Current.Placeholder {
		if next.Len() != 1 {
			return fmt.Errorf("pending first ring holds %d keys, want its active key only", next.Len())
		}
	} else if err := s.checkAgainstCurrent(r, next); err != nil {
		return err
	}
	probe := []byte("keyring rotation probe")
	c, err := next.Encrypt(probe, []byte(r.Token))
	if err != nil {
		return fmt.Errorf("encrypt with pending key %q: %w", next.Active(), err)
	}
	if _, err := next.Decrypt(c, []byte(r.Token)); err != nil {
		return fmt.Errorf("decrypt with pending key %q: %w", next.Active(), err)
	}
	return nil
}

// checkAgainstCurrent is Test's guard for a ring made from the current one.
func (s *Strategy) checkAgainstCurrent(r engine.Rotation, next *keyring.Ring) error {
	cur, err := keyring.Parse(r.Current.Value)
	if err != nil {
		return fmt.Errorf("read current version %s: %w", r.Current.ID, err)
	}
	if !sameRing(cur, next) {
		return s.checkNext(cur, next)
	}
	return nil
}

// sameRing reports whether two rings hold the same keys under the same ids
// with the same one active.
func sameRing(a, b *keyring.Ring) bool {
	if a.Active() != b.Active() || a.Len() != b.Len() {
		return false
	}
	for _, id := range a.IDs() {
		if !b.SameKey(a, id) {
			return false
		}
	}
	return true
}

// checkNext is Test's guard for a ring made by Create from cur.
func (s *Strategy) checkNext(cur, next *keyring.Ring) error {
	for _, id := range cur.IDs() {
		if slices.Contains(s.retire, id) && id != cur.Active() {
			if next.Has(id) {
				return fmt.Errorf("pending ring still holds retired key %q", id)
			}
			continue
		}
		if !next.SameKey(cur, id) {
			return fmt.Errorf("pending ring lost or changed key %q", id)
		}
	}
	if cur.Has(next.Active()) {
		return fmt.Errorf("pending active key %q is not new", next.Active())
	}
	if next.Len() > s.maxKeys {
		return fmt.Errorf("%w: pending ring holds %d keys, the limit is %d", ErrRingFull, next.Len(), s.maxKeys)
	}
	return nil
}
