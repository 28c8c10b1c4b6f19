package twilio

import (
	"context"
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
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Config is what New needs. Every field is required except BaseURL and Grace.
type Config struct {
	// BaseURL is Twilio's API; empty means DefaultBaseURL.
	BaseURL string
	// AdminSecretARN names the secret with the credential that manages keys.
	AdminSecretARN string
	// SecretsManager reads the admin secret and the rotated secret's versions.
	SecretsManager grace.SecretsManager
	// HTTP is the client for Twilio.
	HTTP *http.Client
	// Grace is how long an old key stays valid; zero means grace.DefaultPeriod.
	Grace time.Duration
	// Now is the clock.
	Now func() time.Time
}

// Strategy rotates Twilio API keys. It implements engine.Strategy and
// grace.Revoker.
type Strategy struct {
	base           *url.URL
	http           *http.Client
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
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	base, err := parseBaseURL(cfg.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new twilio strategy: %w", err)
	}
	if cfg.AdminSecretARN == "" || cfg.SecretsManager == nil || cfg.HTTP == nil || cfg.Now == nil {
		return nil, errors.New("new twilio strategy: admin secret ARN, secrets manager, HTTP client and clock are required")
	}
	period := cfg.Grace
	if period == 0 {
		period = grace.DefaultPeriod
	}
	s := &Strategy{base: base, http: cfg.HTTP, sm: cfg.SecretsManager, adminSecretARN: cfg.AdminSecretARN}
	if s.gate, err = grace.NewGate(cfg.SecretsManager, s, period, cfg.Now); err != nil {
		return nil, fmt.Errorf("new twilio strategy: %w", err)
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

// Name implements engine.Strategy.
func (s *Strategy) Name() string { return Name }

// Needs implements engine.ValueNeeds: Set and Test read only the new key.
func (s *Strategy) Needs() engine.Needs {
	return engine.Needs{PendingInSet: true, PendingInTest: true}
}

// clientFor returns a client for the account: the value's, else the admin's.
func (s *Strategy) clientFor(v value, a admin) (*client, error) {
	account := v.AccountSID
	if account == "" {
		account = a.AccountSID
	}
	if account == "" {
		return nil, errors.New("no account SID in the value or the admin secret; " + firstValueHint)
	}
	return &client{base: s.base, http: s.http, account: account}, nil
}

// Create implements engine.Strategy. It mints a key whose FriendlyName derives
// from the rotation token. A key already carrying that name was minted by an
// earlier attempt that crashed before its value was stored; Twilio shows a
// secret once, so that key can never be used: it is deleted, not left live,
// and a fresh one is minted.
func (s *Strategy) Create(ctx context.Context, r engine.Rotation) ([]byte, error) {
	cur, err := parseValue(r.Current.Value)
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
	c, err := s.clientFor(cur, a)
	if err != nil {
		return nil, fmt.Errorf("create key for %s: %w", r.SecretARN, err)
	}
	name := friendlyName(r.SecretARN, r.Token)
	orphans, err := c.findByName(ctx, a, name)
	if err != nil {
		return nil, fmt.Errorf("look up key %s: %w", name, err)
	}
	for _, k := range orphans {
		if !keySIDPattern.MatchString(k.SID) {
			// The SID goes into a DELETE path: refuse anything but a key SID.
			return nil, fmt.Errorf("look up key %s: answer lists a key whose sid is not SK + 32 hex digits", name)
		}
		if k.SID == cur.APIKeySID {
			return nil, fmt.Errorf("look up key %s: it is the current key %s; refusing to replace it", name, k.SID)
		}
		if err := c.remove(ctx, a, k.SID); err != nil {
			return nil, fmt.Errorf("delete key %s left by an earlier attempt: %w", k.SID, err)
		}
	}
	k, err := c.create(ctx, a, name)
	if err != nil {
		return nil, fmt.Errorf("create key %s: %w", name, err)
	}
	next := cur
	next.AccountSID, next.APIKeySID, next.APIKeySecret = c.account, k.SID, k.Secret
	return next.marshal()
}

// Set implements engine.Strategy. Twilio keys work from creation, so there is
// nothing to switch on; Set checks the key still exists, so that a key deleted
// in between fails here rather than after the switch.
func (s *Strategy) Set(ctx context.Context, r engine.Rotation) error {
	p, err := pendingKey(r)
	if err != nil {
		return err
	}
	a, err := s.admin(ctx)
	if err != nil {
		return err
	}
	c, err := s.clientFor(p, a)
	if err != nil {
		return fmt.Errorf("set key %s: %w", p.APIKeySID, err)
	}
	if _, err := c.fetch(ctx, a, p.APIKeySID); err != nil {
		return fmt.Errorf("fetch key %s: %w", p.APIKeySID, err)
	}
	return nil
}

// Test implements engine.Strategy: it reads the account's balance with the
// pending key as basic auth and checks it reached the expected account.
func (s *Strategy) Test(ctx context.Context, r engine.Rotation) error {
	p, err := pendingKey(r)
	if err != nil {
		return err
	}
	c := &client{base: s.base, http: s.http, account: p.AccountSID}
	got, err := c.balance(ctx, p.APIKeySID, p.APIKeySecret)
	if err != nil {
		return fmt.Errorf("test key %s: %w", p.APIKeySID, err)
	}
	// Twilio documents that child accounts carry no balance information, so an
	// empty account_sid is accepted: the 2xx on this account's path already
	// proves the key authenticates there.
	if got != "" && got != p.AccountSID {
		return fmt.Errorf("test key %s: reached account %q, want %s", p.APIKeySID, got, p.AccountSID)
	}
	return nil
}

// pendingKey reads the pending value, which Create made and so holds a key.
func pendingKey(r engine.Rotation) (value, error) {
	p, err := parseValue(r.Pending.Value)
	if err != nil {
		return value{}, fmt.Errorf("read pending value %s: %w", r.Pending.ID, err)
	}
	if p.AccountSID == "" || p.APIKeySID == "" || p.APIKeySecret == "" {
		return value{}, fmt.Errorf("read pending value %s: accountSid, apiKeySid or apiKeySecret is empty", r.Pending.ID)
	}
	return p, nil
}

// KeyID implements grace.Revoker: the key SID.
func (s *Strategy) KeyID(v engine.Version) (string, error) {
	val, err := parseValue(v.Value)
	if err != nil {
		return "", err
	}
	return val.APIKeySID, nil
}

// Revoke implements grace.Revoker: it deletes the key v holds; a key already
// gone counts as revoked.
func (s *Strategy) Revoke(ctx context.Context, v engine.Version) error {
	val, c, a, ok, err := s.keyClient(ctx, v)
	if err != nil || !ok {
		return err
	}
	if err := c.remove(ctx, a, val.APIKeySID); err != nil {
		return fmt.Errorf("delete key %s: %w", val.APIKeySID, err)
	}
	return nil
}

// Active implements grace.Revoker.
func (s *Strategy) Active(ctx context.Context, v engine.Version) (bool, error) {
	val, c, a, ok, err := s.keyClient(ctx, v)
	if err != nil || !ok {
		return false, err
	}
	_, err = c.fetch(ctx, a, val.APIKeySID)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("fetch key %s: %w", val.APIKeySID, err)
	}
	return true, nil
}

// keyClient reads the key in v and the admin credential; ok is false when v
// holds no key.
func (s *Strategy) keyClient(ctx context.Context, v engine.Version) (value, *client, admin, bool, error) {
	val, err := parseValue(v.Value)
	if err != nil || val.APIKeySID == "" {
		return value{}, nil, admin{}, false, err
	}
	a, err := s.admin(ctx)
	if err != nil {
		return value{}, nil, admin{}, false, err
	}
	c, err := s.clientFor(val, a)
	if err != nil {
		return value{}, nil, admin{}, false, fmt.Errorf("key %s: %w", val.APIKeySID, err)
	}
	return val, c, a, true, nil
}

// admin reads the admin credential at every step, never kept, so that a
// rotated credential takes effect at once.
func (s *Strategy) admin(ctx context.Context) (admin, error) {
	out, err := s.sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:     aws.String(s.adminSecretARN),
		VersionStage: aws.String(engine.StageCurrent),
	})
	if err != nil {
		return admin{}, fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	a, err := parseAdmin([]byte(aws.ToString(out.SecretString)))
	if err != nil {
		return admin{}, fmt.Errorf("read admin secret %s: %w", s.adminSecretARN, err)
	}
	return a, nil
}
