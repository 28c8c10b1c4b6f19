package httpkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotation/engine"
	"github.com/acme/secrets-platform/rotation/grace"
)

// Name is the strategy's name in ROTATION_STRATEGY and in logs.
const Name = "httpkey"

// Config is what New needs. Every field is required except Grace.
type Config struct {
	// BaseURL is the contract's base URL: https, or http on a loopback host.
	BaseURL string
	// AdminSecretARN names the secret holding {"adminToken": "..."}.
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

// Strategy rotates API keys through the key-management contract. It implements
// engine.Strategy and grace.Revoker.
type Strategy struct {
	client         *client
	sm             grace.SecretsManager
	adminSecretARN string
	gate           *grace.Gate
}

var (
	_ engine.Strategy   = (*Strategy)(nil)
	_ engine.ValueNeeds = (*Strategy)(nil)
	_ grace.Revoker     = (*Strategy)(nil)
)

// New returns a Strategy for cfg.
func New(cfg Config) (*Strategy, error) {
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new httpkey strategy: %w", err)
	}
	if cfg.AdminSecretARN == "" || cfg.SecretsManager == nil || cfg.HTTP == nil || cfg.Now == nil {
		return nil, errors.New("new httpkey strategy: admin secret ARN, secrets manager, HTTP client and clock are required")
	}
	period := cfg.Grace
	if period == 0 {
		period = grace.DefaultPeriod
	}
	s := &Strategy{
		client:         &client{base: base, http: cfg.HTTP},
		sm:             cfg.SecretsManager,
		adminSecretARN: cfg.AdminSecretARN,
	}
	if s.gate, err = grace.NewGate(cfg.SecretsManager, s, period, cfg.Now); err != nil {
		return nil, fmt.Errorf("new httpkey strategy: %w", err)
	}
	return s, nil
}

// parseBaseURL refuses plain http to anything but this machine: the admin
// token travels in every request.
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

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return Name }

// Needs implements engine.ValueNeeds: Set and Test read only the new key.
func (s *Strategy) Needs() engine.Needs {
	return engine.Needs{PendingInSet: true, PendingInTest: true}
}

// Create implements engine.Strategy. It mints an inactive key named after the
// rotation token. A key with that name can only be left by an earlier attempt
// that crashed before its value was stored; its secret is lost (providers show
// it once), so it is deleted rather than left live, and a fresh one is minted.
func (s *Strategy) Create(ctx context.Context, r engine.Rotation) ([]byte, error) {
	cur, err := parseValue(r.Current.Value)
	if err != nil {
		return nil, fmt.Errorf("read current value of %s: %w", r.SecretARN, err)
	}
	if err := s.gate.Check(ctx, r); err != nil {
		return nil, err
	}
	admin, err := s.adminToken(ctx)
	if err != nil {
		return nil, err
	}
	name := keyName(r.SecretARN, r.Token)
	orphans, err := s.client.findByName(ctx, admin, name)
	if err != nil {
		return nil, fmt.Errorf("look up key %s: %w", name, err)
	}
	for _, k := range orphans {
		if k.ID == "" {
			return nil, fmt.Errorf("look up key %s: answer lists a key without an id", name)
		}
		if k.ID == cur.KeyID {
			return nil, fmt.Errorf("look up key %s: it is the current key %s; refusing to replace it", name, k.ID)
		}
		if err := s.client.revoke(ctx, admin, k.ID); err != nil {
			return nil, fmt.Errorf("delete key %s left by an earlier attempt: %w", k.ID, err)
		}
	}
	k, err := s.client.create(ctx, admin, name)
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	next := cur
	next.KeyID, next.APIKey = k.ID, k.Secret
	return next.marshal()
}

// Set implements engine.Strategy: it activates the pending key (idempotent).
func (s *Strategy) Set(ctx context.Context, r engine.Rotation) error {
	p, err := pendingKey(r)
	if err != nil {
		return err
	}
	admin, err := s.adminToken(ctx)
	if err != nil {
		return err
	}
	if err := s.client.activate(ctx, admin, p.KeyID); err != nil {
		return fmt.Errorf("activate key %s: %w", p.KeyID, err)
	}
	return nil
}

// Test implements engine.Strategy: it calls the provider with the pending key
// and checks that the provider saw that very key.
func (s *Strategy) Test(ctx context.Context, r engine.Rotation) error {
	p, err := pendingKey(r)
	if err != nil {
		return err
	}
	got, err := s.client.whoami(ctx, p.APIKey)
	if err != nil {
		return fmt.Errorf("test key %s: %w", p.KeyID, err)
	}
	if got != p.KeyID {
		return fmt.Errorf("test key %s: provider authenticated key %q", p.KeyID, got)
	}
	return nil
}

// pendingKey reads the pending value, which Create made and so must hold a key.
func pendingKey(r engine.Rotation) (value, error) {
	p, err := parseValue(r.Pending.Value)
	if err != nil {
		return value{}, fmt.Errorf("read pending value %s: %w", r.Pending.ID, err)
	}
	if p.KeyID == "" || p.APIKey == "" {
		return value{}, fmt.Errorf("read pending value %s: keyId or apiKey is empty", r.Pending.ID)
	}
	return p, nil
}

// KeyID implements grace.Revoker.
func (s *Strategy) KeyID(v engine.Version) (string, error) {
	val, err := parseValue(v.Value)
	if err != nil {
		return "", err
	}
	return val.KeyID, nil
}

// Revoke implements grace.Revoker: it deletes the key v holds; a key already
// gone counts as revoked.
func (s *Strategy) Revoke(ctx context.Context, v engine.Version) error {
	id, err := s.KeyID(v)
	if err != nil || id == "" {
		return err
	}
	admin, err := s.adminToken(ctx)
	if err != nil {
		return err
	}
	if err := s.client.revoke(ctx, admin, id); err != nil {
		return fmt.Errorf("revoke key %s: %w", id, err)
	}
	return nil
}

// Active implements grace.Revoker.
func (s *Strategy) Active(ctx context.Context, v engine.Version) (bool, error) {
	id, err := s.KeyID(v)
	if err != nil || id == "" {
		return false, err
	}
	admin, err := s.adminToken(ctx)
	if err != nil {
		return false, err
	}
	_, err = s.client.get(ctx, admin, id)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("get key %s: %w", id, err)
	}
	return true, nil
}

// adminToken reads the admin credential. It is read at every step, not kept,
// so that a rotated admin credential takes effect at once.
func (s *Strategy) adminToken(ctx context.Context) (string, error) {
	out, err := s.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(s.adminSecretARN),
		VersionStage: aws.String(engine.StageCurrent),
	})
	if err != nil {
		return "", fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	var a struct {
		AdminToken string `json:"adminToken"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(out.SecretString)), &a); err != nil || a.AdminToken == "" {
		return "", fmt.Errorf(`read admin secret %s: value is not {"adminToken": "..."}`, s.adminSecretARN)
	}
	return a.AdminToken, nil
}
