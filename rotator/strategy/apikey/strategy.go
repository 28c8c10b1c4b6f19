package apikey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// Clients are what a key strategy calls besides its provider's API.
type Clients struct {
	// SecretsManager reads the admin secret and the rotated secret's versions.
	SecretsManager grace.SecretsManager
	// HTTP is the client for the provider.
	HTTP *http.Client
	// Now is the clock.
	Now func() time.Time
}

// Strategy rotates the API keys of one provider. It implements engine.Strategy,
// engine.ValueNeeds and grace.Revoker.
type Strategy struct {
	name           contract.Strategy
	provider       Provider
	sm             grace.SecretsManager
	adminSecretARN string
	gate           *grace.Gate
	now            func() time.Time
}

var (
	_ engine.Strategy       = (*Strategy)(nil)
	_ engine.ValueNeeds     = (*Strategy)(nil)
	_ engine.SwitchRecorder = (*Strategy)(nil)
	_ engine.Discarder      = (*Strategy)(nil)
	_ grace.Revoker         = (*Strategy)(nil)
)

// New returns the strategy name rotating keys through p, with the admin
// secret and grace of api. Errors begin "new <name> strategy".
func New(name contract.Strategy, api contract.KeyAPI, p Provider, c Clients) (*Strategy, error) {
	if api.AdminSecretARN == "" || c.SecretsManager == nil || c.HTTP == nil || c.Now == nil {
		return nil, fmt.Errorf("new %s strategy: admin secret ARN, secrets manager, HTTP client and clock are required", name)
	}
	s := &Strategy{name: name, provider: p, sm: c.SecretsManager, adminSecretARN: api.AdminSecretARN, now: c.Now}
	gate, err := grace.NewGate(c.SecretsManager, s, api.Grace, c.Now)
	if err != nil {
		return nil, fmt.Errorf("new %s strategy: %w", name, err)
	}
	s.gate = gate
	return s, nil
}

// BaseURL parses a provider's base URL, refusing plain http to anything but
// this machine: credentials travel in every request.
func BaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base URL %q is not an absolute URL", raw)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fmt.Errorf("base URL %q must be https (http only for a loopback host)", raw)
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// KeyName is the name of the key minted for one rotation. It is derived from
// the secret and the rotation token, so that a createSecret retried after a
// crash finds the key its first attempt made; it is a hash so that it fits any
// provider's name limit (Twilio's is 64) and reveals nothing.
func KeyName(secretARN, token string) string {
	sum := sha256.Sum256([]byte(secretARN + "\x00" + token))
	return "sm-rotation-" + hex.EncodeToString(sum[:20])
}

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return string(s.name) }

// Needs implements engine.ValueNeeds: Set and Test read only the new key.
func (s *Strategy) Needs() engine.Needs {
	return engine.Needs{PendingInSet: true, PendingInTest: true}
}

// SwitchTime implements engine.SwitchRecorder: the replaced key's grace
// counts from finishSecret's switch.
func (s *Strategy) SwitchTime() time.Time { return s.now() }

// Create implements engine.Strategy. It mints a key named after the rotation
// token (KeyName). A key already carrying that name can only be left by an
// earlier attempt that crashed before its value was stored; its secret is lost
// (providers show it once), so it is revoked rather than left live, and a
// fresh one is minted. From the program's placeholder (r.Current.Placeholder)
// it mints the first key with the admin credential: the placeholder holds no
// key, so the Gate finds nothing to wait for and nothing is revoked.
func (s *Strategy) Create(ctx context.Context, r engine.Rotation) ([]byte, error) {
	current, err := s.provider.KeyID(r.Current.Value)
	if err != nil {
		return nil, fmt.Errorf("read current value of %s: %w", r.SecretARN, err)
	}
	if err := s.gate.Check(ctx, r); err != nil {
		return nil, err
	}
	account, err := s.account(ctx, r.Current.Value)
	if err != nil {
		return nil, fmt.Errorf("create key for %s: %w", r.SecretARN, err)
	}
	name := KeyName(r.SecretARN, r.Token)
	orphans, err := account.FindByName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("look up key %s: %w", name, err)
	}
	for _, id := range orphans {
		if id == current {
			return nil, fmt.Errorf("look up key %s: it is the current key %s; refusing to replace it", name, id)
		}
		if err := account.Revoke(ctx, id); err != nil {
			return nil, fmt.Errorf("revoke key %s left by an earlier attempt: %w", id, err)
		}
	}
	next, err := account.Create(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	return next, nil
}

// Set implements engine.Strategy: it makes the pending key usable
// (idempotently), so that a key gone in between fails here rather than after
// the switch. It first revokes any other key named for this token: one that a
// concurrent createSecret minted and Secrets Manager did not keep, which its
// own read-back (Discard) can miss when the store keeps the last value.
func (s *Strategy) Set(ctx context.Context, r engine.Rotation) error {
	id, err := s.pendingKey(r)
	if err != nil {
		return err
	}
	account, err := s.account(ctx, r.Pending.Value)
	if err != nil {
		return fmt.Errorf("activate key %s: %w", id, err)
	}
	name := KeyName(r.SecretARN, r.Token)
	named, err := account.FindByName(ctx, name)
	if err != nil {
		return fmt.Errorf("look up key %s: %w", name, err)
	}
	for _, other := range named {
		if other == id {
			continue
		}
		if err := account.Revoke(ctx, other); err != nil {
			return fmt.Errorf("revoke key %s that a concurrent attempt minted: %w", other, err)
		}
	}
	if err := account.Activate(ctx, id); err != nil {
		return fmt.Errorf("activate key %s: %w", id, err)
	}
	return nil
}

// Discard implements engine.Discarder: it revokes the key of a value that
// Create made but Secrets Manager did not keep (another createSecret for the
// same token won).
func (s *Strategy) Discard(ctx context.Context, _ engine.Rotation, unstored []byte) error {
	return s.Revoke(ctx, engine.Version{Value: unstored})
}

// Test implements engine.Strategy: it calls the provider as the pending key and
// checks that the provider saw that very key.
func (s *Strategy) Test(ctx context.Context, r engine.Rotation) error {
	id, err := s.pendingKey(r)
	if err != nil {
		return err
	}
	if err := s.provider.Test(ctx, r.Pending.Value); err != nil {
		return fmt.Errorf("test key %s: %w", id, err)
	}
	return nil
}

// pendingKey reads the key id of the pending value, which Create made and so
// must hold a key.
func (s *Strategy) pendingKey(r engine.Rotation) (string, error) {
	id, err := s.provider.KeyID(r.Pending.Value)
	if err != nil {
		return "", fmt.Errorf("read pending value %s: %w", r.Pending.ID, err)
	}
	if id == "" {
		return "", fmt.Errorf("read pending value %s: %w", r.Pending.ID, errNoKey)
	}
	return id, nil
}

// errNoKey is a pending value without a key, which Create never makes.
var errNoKey = errors.New("it holds no key")

// KeyID implements grace.Revoker.
func (s *Strategy) KeyID(v engine.Version) (string, error) {
	return s.provider.KeyID(v.Value)
}

// Revoke implements grace.Revoker: it revokes the key v holds; a key already
// gone counts as revoked.
func (s *Strategy) Revoke(ctx context.Context, v engine.Version) error {
	id, account, err := s.keyOf(ctx, v)
	if err != nil || id == "" {
		return err
	}
	if err := account.Revoke(ctx, id); err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	return nil
}

// Active implements grace.Revoker.
func (s *Strategy) Active(ctx context.Context, v engine.Version) (bool, error) {
	id, account, err := s.keyOf(ctx, v)
	if err != nil || id == "" {
		return false, err
	}
	active, err := account.Exists(ctx, id)
	if err != nil {
		return false, fmt.Errorf("look up key %s: %w", id, err)
	}
	return active, nil
}

// keyOf returns the key id in v and the account that manages it; the id is ""
// when v holds no key.
func (s *Strategy) keyOf(ctx context.Context, v engine.Version) (string, Account, error) {
	id, err := s.provider.KeyID(v.Value)
	if err != nil || id == "" {
		return "", nil, err
	}
	account, err := s.account(ctx, v.Value)
	if err != nil {
		return "", nil, fmt.Errorf("key %s: %w", id, err)
	}
	return id, account, nil
}

// account reads the admin credential and returns the calls on value's
// account. The credential is read at every step, not kept, so that a rotated
// admin credential takes effect at once.
func (s *Strategy) account(ctx context.Context, value []byte) (Account, error) {
	out, err := s.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(s.adminSecretARN),
		VersionStage: aws.String(engine.StageCurrent),
	})
	if err != nil {
		return nil, fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	a, err := s.provider.Account([]byte(aws.ToString(out.SecretString)), value)
	if err != nil {
		return nil, fmt.Errorf("use admin secret %s: %w", s.adminSecretARN, err)
	}
	return a, nil
}
