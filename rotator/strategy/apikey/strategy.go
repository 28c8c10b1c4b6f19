package apikey

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/grace"
)

// Config is what New needs. Every field is required except Grace. Provider
// packages name it as their own Config and say what their fields hold.
type Config struct {
	// BaseURL is the provider's API: https, or http on a loopback host.
	BaseURL string
	// AdminSecretARN names the secret holding the admin credential.
	AdminSecretARN string
	// SecretsManager reads the admin secret and the rotated secret's versions.
	SecretsManager grace.SecretsManager
	// HTTP is the client for the provider.
	HTTP *http.Client
	// Grace is how long an old key stays valid; zero means grace.DefaultPeriod.
	Grace time.Duration
	// Now is the clock.
	Now func() time.Time
}

// Strategy rotates the API keys of one provider. It implements engine.Strategy
// and grace.Revoker.
type Strategy[V Value, A any] struct {
	terms          Terms
	provider       Provider[V, A]
	sm             grace.SecretsManager
	adminSecretARN string
	gate           *grace.Gate
}

var (
	_ engine.Strategy   = (*Strategy[Value, any])(nil)
	_ engine.ValueNeeds = (*Strategy[Value, any])(nil)
	_ grace.Revoker     = (*Strategy[Value, any])(nil)
)

// New returns a Strategy for cfg, whose provider newProvider builds on the
// checked base URL and the HTTP client. Errors begin "new <name> strategy".
func New[V Value, A any](cfg Config, t Terms, newProvider func(base *url.URL, hc *http.Client) Provider[V, A]) (*Strategy[V, A], error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new %s strategy: %w", t.Name, err)
	}
	if cfg.AdminSecretARN == "" || cfg.SecretsManager == nil || cfg.HTTP == nil || cfg.Now == nil {
		return nil, fmt.Errorf("new %s strategy: admin secret ARN, secrets manager, HTTP client and clock are required", t.Name)
	}
	period := cfg.Grace
	if period == 0 {
		period = grace.DefaultPeriod
	}
	s := &Strategy[V, A]{
		terms:          t,
		provider:       newProvider(base, cfg.HTTP),
		sm:             cfg.SecretsManager,
		adminSecretARN: cfg.AdminSecretARN,
	}
	if s.gate, err = grace.NewGate(cfg.SecretsManager, s, period, cfg.Now); err != nil {
		return nil, fmt.Errorf("new %s strategy: %w", t.Name, err)
	}
	return s, nil
}

// parseBaseURL refuses plain http to anything but this machine: credentials
// travel in every request.
func parseBaseURL(raw string) (*url.URL, error) {
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
func (s *Strategy[V, A]) Name() string { return s.terms.Name }

// Needs implements engine.ValueNeeds: Set and Test read only the new key.
func (s *Strategy[V, A]) Needs() engine.Needs {
	return engine.Needs{PendingInSet: true, PendingInTest: true}
}

// Create implements engine.Strategy. It mints a key named after the rotation
// token (KeyName). A key already carrying that name can only be left by an
// earlier attempt that crashed before its value was stored; its secret is lost
// (providers show it once), so it is revoked rather than left live, and a
// fresh one is minted.
func (s *Strategy[V, A]) Create(ctx context.Context, r engine.Rotation) ([]byte, error) {
	cur, err := s.provider.ParseValue(r.Current.Value)
	if err != nil {
		return nil, fmt.Errorf("read current value of %s: %w", r.SecretARN, err)
	}
	if err := s.gate.Check(ctx, r); err != nil {
		return nil, err
	}
	a, err := s.admin(ctx)
	if err != nil {
		return nil, err
	}
	keys, err := s.provider.Keys(a, cur)
	if err != nil {
		return nil, fmt.Errorf("create key for %s: %w", r.SecretARN, err)
	}
	name := KeyName(r.SecretARN, r.Token)
	orphans, err := keys.FindByName(ctx, name)
	if err != nil {
		return nil, fmt.Errorf("look up key %s: %w", name, err)
	}
	for _, id := range orphans {
		if err := s.provider.CheckListed(id); err != nil {
			return nil, fmt.Errorf("look up key %s: %w", name, err)
		}
		if id == cur.KeyID() {
			return nil, fmt.Errorf("look up key %s: it is the current key %s; refusing to replace it", name, id)
		}
		if err := keys.Revoke(ctx, id); err != nil {
			return nil, fmt.Errorf("delete key %s left by an earlier attempt: %w", id, err)
		}
	}
	next, err := keys.Create(ctx, cur, name)
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	return next.Marshal()
}

// Set implements engine.Strategy: it makes the pending key usable
// (idempotently), so that a key gone in between fails here rather than after
// the switch.
func (s *Strategy[V, A]) Set(ctx context.Context, r engine.Rotation) error {
	p, err := s.pending(r)
	if err != nil {
		return err
	}
	a, err := s.admin(ctx)
	if err != nil {
		return err
	}
	keys, err := s.provider.Keys(a, p)
	if err != nil {
		return fmt.Errorf("set key %s: %w", p.KeyID(), err)
	}
	if err := keys.Activate(ctx, p.KeyID()); err != nil {
		return fmt.Errorf("%s key %s: %w", s.terms.Activate, p.KeyID(), err)
	}
	return nil
}

// Test implements engine.Strategy: it calls the provider as the pending key and
// checks that the provider saw that very key.
func (s *Strategy[V, A]) Test(ctx context.Context, r engine.Rotation) error {
	p, err := s.pending(r)
	if err != nil {
		return err
	}
	if err := s.provider.Test(ctx, p); err != nil {
		return fmt.Errorf("test key %s: %w", p.KeyID(), err)
	}
	return nil
}

// pending reads the pending value, which Create made and so must hold a key.
func (s *Strategy[V, A]) pending(r engine.Rotation) (V, error) {
	var zero V
	p, err := s.provider.ParseValue(r.Pending.Value)
	if err != nil {
		return zero, fmt.Errorf("read pending value %s: %w", r.Pending.ID, err)
	}
	if err := p.CheckKey(); err != nil {
		return zero, fmt.Errorf("read pending value %s: %w", r.Pending.ID, err)
	}
	return p, nil
}

// KeyID implements grace.Revoker.
func (s *Strategy[V, A]) KeyID(v engine.Version) (string, error) {
	val, err := s.provider.ParseValue(v.Value)
	if err != nil {
		return "", err
	}
	return val.KeyID(), nil
}

// Revoke implements grace.Revoker: it revokes the key v holds; a key already
// gone counts as revoked.
func (s *Strategy[V, A]) Revoke(ctx context.Context, v engine.Version) error {
	id, keys, ok, err := s.keysFor(ctx, v)
	if err != nil || !ok {
		return err
	}
	if err := keys.Revoke(ctx, id); err != nil {
		return fmt.Errorf("%s key %s: %w", s.terms.Revoke, id, err)
	}
	return nil
}

// Active implements grace.Revoker.
func (s *Strategy[V, A]) Active(ctx context.Context, v engine.Version) (bool, error) {
	id, keys, ok, err := s.keysFor(ctx, v)
	if err != nil || !ok {
		return false, err
	}
	active, err := keys.Exists(ctx, id)
	if err != nil {
		return false, fmt.Errorf("%s key %s: %w", s.terms.Get, id, err)
	}
	return active, nil
}

// keysFor reads the key id in v and the admin credential, and returns the
// calls that manage that key; ok is false when v holds no key.
func (s *Strategy[V, A]) keysFor(ctx context.Context, v engine.Version) (string, Keys[V], bool, error) {
	val, err := s.provider.ParseValue(v.Value)
	if err != nil || val.KeyID() == "" {
		return "", nil, false, err
	}
	a, err := s.admin(ctx)
	if err != nil {
		return "", nil, false, err
	}
	keys, err := s.provider.Keys(a, val)
	if err != nil {
		return "", nil, false, fmt.Errorf("key %s: %w", val.KeyID(), err)
	}
	return val.KeyID(), keys, true, nil
}

// admin reads the admin credential. It is read at every step, not kept, so
// that a rotated admin credential takes effect at once.
func (s *Strategy[V, A]) admin(ctx context.Context) (A, error) {
	var zero A
	out, err := s.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(s.adminSecretARN),
		VersionStage: aws.String(engine.StageCurrent),
	})
	if err != nil {
		return zero, fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	a, err := s.provider.ParseAdmin([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return zero, fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	return a, nil
}
