package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// Name is the strategy's name in ROTATION_STRATEGY and in logs.
const Name = "twilio"

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Config is what New needs; every field is required except BaseURL (empty
// means DefaultBaseURL) and Grace. AdminSecretARN names the secret with the
// credential that manages keys.
type Config = apikey.Config

// Strategy rotates Twilio API keys. It implements engine.Strategy and
// grace.Revoker.
type Strategy = apikey.Strategy[value, admin]

// New returns a Strategy for cfg.
func New(cfg Config) (*Strategy, error) {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	// The Terms are Twilio's words for its calls: keys work from creation, so Set
	// fetches the key, and a key is deleted, not revoked.
	t := apikey.Terms{Name: Name, Activate: "fetch", Get: "fetch", Revoke: "delete"}
	return apikey.New(cfg, t, func(base *url.URL, hc *http.Client) apikey.Provider[value, admin] {
		return provider{base: base, http: hc}
	})
}

// provider is Twilio's Key resource as an apikey.Provider.
type provider struct {
	base *url.URL
	http *http.Client
}

// ParseValue implements apikey.Provider.
func (provider) ParseValue(b []byte) (value, error) { return parseValue(b) }

// ParseAdmin implements apikey.Provider.
func (provider) ParseAdmin(b []byte) (admin, error) { return parseAdmin(b) }

// Keys implements apikey.Provider: the calls on the value's account, else on
// the admin's.
func (p provider) Keys(a admin, v value) (apikey.Keys[value], error) {
	account := v.AccountSID
	if account == "" {
		account = a.AccountSID
	}
	if account == "" {
		return nil, errors.New("no account SID in the value or the admin secret; " + firstValueHint)
	}
	return keys{client: &client{base: p.base, http: p.http, account: account}, admin: a}, nil
}

// CheckListed implements apikey.Provider: the SID goes into a DELETE path, so
// anything but a key SID is refused.
func (provider) CheckListed(sid string) error {
	if !keySIDPattern.MatchString(sid) {
		return errors.New("answer lists a key whose sid is not SK + 32 hex digits")
	}
	return nil
}

// Test implements apikey.Provider: it reads the account's balance with the
// pending key as basic auth and checks it reached the expected account.
func (p provider) Test(ctx context.Context, pending value) error {
	c := &client{base: p.base, http: p.http, account: pending.AccountSID}
	got, err := c.balance(ctx, pending.APIKeySID, pending.APIKeySecret)
	if err != nil {
		return err
	}
	// Twilio documents that child accounts carry no balance information, so an
	// empty account_sid is accepted: the 2xx on this account's path already
	// proves the key authenticates there.
	if got != "" && got != pending.AccountSID {
		return fmt.Errorf("reached account %q, want %s", got, pending.AccountSID)
	}
	return nil
}

// keys are one account's Key calls, authenticated with the admin credential.
type keys struct {
	client *client
	admin  admin
}

// FindByName implements apikey.Keys; FriendlyNames need not be unique.
func (k keys) FindByName(ctx context.Context, name string) ([]string, error) {
	found, err := k.client.findByName(ctx, k.admin, name)
	if err != nil {
		return nil, err
	}
	sids := make([]string, 0, len(found))
	for _, f := range found {
		sids = append(sids, f.SID)
	}
	return sids, nil
}

// Create implements apikey.Keys: it mints a Standard key, on the account the
// value names from now on.
func (k keys) Create(ctx context.Context, cur value, name string) (value, error) {
	created, err := k.client.create(ctx, k.admin, name)
	if err != nil {
		return value{}, err
	}
	next := cur
	next.AccountSID, next.APIKeySID, next.APIKeySecret = k.client.account, created.SID, created.Secret
	return next, nil
}

// Activate implements apikey.Keys. Twilio keys work from creation, so there is
// nothing to switch on; it checks the key still exists.
func (k keys) Activate(ctx context.Context, sid string) error {
	_, err := k.client.fetch(ctx, k.admin, sid)
	return err
}

// Exists implements apikey.Keys: a deleted key is unknown (404).
func (k keys) Exists(ctx context.Context, sid string) (bool, error) {
	_, err := k.client.fetch(ctx, k.admin, sid)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Revoke implements apikey.Keys: it deletes the key.
func (k keys) Revoke(ctx context.Context, sid string) error {
	return k.client.remove(ctx, k.admin, sid)
}
