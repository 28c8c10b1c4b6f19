package twilio

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// DefaultBaseURL is Twilio's REST API.
const DefaultBaseURL = "https://api.twilio.com"

// Strategy rotates Twilio API keys. It implements engine.Strategy and
// grace.Revoker.
type Strategy = apikey.Strategy

// New returns a Strategy with api's admin secret and grace. baseURL is
// Twilio's API, DefaultBaseURL when empty; only a test build of the rotator
// sets another (contract.TestSettings).
func New(api contract.KeyAPI, baseURL string, c apikey.Clients) (*Strategy, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	base, err := apikey.BaseURL(baseURL)
	if err != nil {
		return nil, fmt.Errorf("new %s strategy: %w", contract.Twilio, err)
	}
	return apikey.New(contract.Twilio, api, provider{base: base, http: c.HTTP}, c)
}

// provider is Twilio's Key resource as an apikey.Provider.
type provider struct {
	base *url.URL
	http *http.Client
}

// KeyID implements apikey.Provider: the key SID.
func (provider) KeyID(b []byte) (string, error) {
	v, err := parseValue(b)
	if err != nil {
		return "", err
	}
	return v.APIKeySID, nil
}

// Account implements apikey.Provider: the calls on the value's account, else
// on the admin's.
func (p provider) Account(adminValue, value []byte) (apikey.Account, error) {
	a, err := parseAdmin(adminValue)
	if err != nil {
		return nil, err
	}
	v, err := parseValue(value)
	if err != nil {
		return nil, err
	}
	sid := v.AccountSID
	if sid == "" {
		sid = a.AccountSID
	}
	return account{client: &client{base: p.base, http: p.http, account: sid}, admin: a, value: v}, nil
}

// Test implements apikey.Provider: it reads the account's balance with the
// pending key as basic auth and checks it reached the expected account.
func (p provider) Test(ctx context.Context, pending []byte) error {
	v, err := parseValue(pending)
	if err != nil {
		return err
	}
	if v.AccountSID == "" || v.APIKeySID == "" || v.APIKeySecret == "" {
		return errors.New("accountSid, apiKeySid or apiKeySecret is empty")
	}
	c := &client{base: p.base, http: p.http, account: v.AccountSID}
	got, err := c.balance(ctx, v.APIKeySID, v.APIKeySecret)
	if err != nil {
		return err
	}
	// Twilio documents that child accounts carry no balance information, so an
	// empty account_sid is accepted: the 2xx on this account's path already
	// proves the key authenticates there.
	if got != "" && got != v.AccountSID {
		return fmt.Errorf("reached account %q, want %s", got, v.AccountSID)
	}
	return nil
}

// account is one account's Key calls, authenticated with the admin credential.
type account struct {
	client *client
	admin  admin
	value  value
}

// FindByName implements apikey.Account; FriendlyNames need not be unique. The
// SIDs go into DELETE paths, so anything but a key SID is refused.
func (a account) FindByName(ctx context.Context, name string) ([]string, error) {
	found, err := a.client.findByName(ctx, a.admin, name)
	if err != nil {
		return nil, err
	}
	sids := make([]string, 0, len(found))
	for _, f := range found {
		if !keySIDPattern.MatchString(f.SID) {
			return nil, errors.New("answer lists a key whose sid is not SK + 32 hex digits")
		}
		sids = append(sids, f.SID)
	}
	return sids, nil
}

// Create implements apikey.Account: it mints a Standard key, on the account the
// value names from now on.
func (a account) Create(ctx context.Context, name string) ([]byte, error) {
	created, err := a.client.create(ctx, a.admin, name)
	if err != nil {
		return nil, err
	}
	next := a.value
	next.AccountSID, next.APIKeySID, next.APIKeySecret = a.client.account, created.SID, created.Secret
	return next.marshal()
}

// Activate implements apikey.Account. Twilio keys work from creation, so there
// is nothing to switch on; it checks the key still exists.
func (a account) Activate(ctx context.Context, sid string) error {
	_, err := a.client.fetch(ctx, a.admin, sid)
	return err
}

// Exists implements apikey.Account: a deleted key is unknown (404).
func (a account) Exists(ctx context.Context, sid string) (bool, error) {
	_, err := a.client.fetch(ctx, a.admin, sid)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Revoke implements apikey.Account: it deletes the key.
func (a account) Revoke(ctx context.Context, sid string) error {
	return a.client.remove(ctx, a.admin, sid)
}
