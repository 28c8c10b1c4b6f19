package httpkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// Name is the strategy's name in ROTATION_STRATEGY and in logs.
const Name = "httpkey"

// Config is what New needs; every field is required except Grace. BaseURL is
// the contract's base URL, AdminSecretARN names the secret holding
// {"adminToken": "..."}.
type Config = apikey.Config

// Strategy rotates API keys through the key-management contract. It
// implements engine.Strategy and grace.Revoker. The admin credential is the
// bearer token of the admin secret.
type Strategy = apikey.Strategy[value, string]

// New returns a Strategy for cfg.
func New(cfg Config) (*Strategy, error) {
	// The Terms are the contract's words for its calls (docs/http-key-contract.md).
	t := apikey.Terms{Name: Name, Activate: "activate", Get: "get", Revoke: "revoke"}
	return apikey.New(cfg, t, func(base *url.URL, hc *http.Client) apikey.Provider[value, string] {
		return provider{client: &client{base: base, http: hc}}
	})
}

// provider is the key-management contract as an apikey.Provider.
type provider struct {
	client *client
}

// ParseValue implements apikey.Provider.
func (provider) ParseValue(b []byte) (value, error) { return parseValue(b) }

// ParseAdmin implements apikey.Provider: the admin secret is
// {"adminToken": "..."}. Its error never quotes b.
func (provider) ParseAdmin(b []byte) (string, error) {
	var a struct {
		AdminToken string `json:"adminToken"`
	}
	if err := json.Unmarshal(b, &a); err != nil || a.AdminToken == "" {
		return "", errors.New(`value is not {"adminToken": "..."}`)
	}
	return a.AdminToken, nil
}

// Keys implements apikey.Provider; the contract has no accounts.
func (p provider) Keys(admin string, _ value) (apikey.Keys[value], error) {
	return keys{client: p.client, admin: admin}, nil
}

// CheckListed implements apikey.Provider.
func (provider) CheckListed(id string) error {
	if id == "" {
		return errors.New("answer lists a key without an id")
	}
	return nil
}

// Test implements apikey.Provider: whoami, authenticated with the key itself,
// names the key the provider saw.
func (p provider) Test(ctx context.Context, pending value) error {
	got, err := p.client.whoami(ctx, pending.APIKey)
	if err != nil {
		return err
	}
	if got != pending.ID {
		return fmt.Errorf("provider authenticated key %q", got)
	}
	return nil
}

// keys are the contract's key calls, authenticated with the admin token.
type keys struct {
	client *client
	admin  string
}

// FindByName implements apikey.Keys.
func (k keys) FindByName(ctx context.Context, name string) ([]string, error) {
	found, err := k.client.findByName(ctx, k.admin, name)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(found))
	for _, f := range found {
		ids = append(ids, f.ID)
	}
	return ids, nil
}

// Create implements apikey.Keys: it mints an inactive key.
func (k keys) Create(ctx context.Context, cur value, name string) (value, error) {
	created, err := k.client.create(ctx, k.admin, name)
	if err != nil {
		return value{}, err
	}
	next := cur
	next.ID, next.APIKey = created.ID, created.Secret
	return next, nil
}

// Activate implements apikey.Keys.
func (k keys) Activate(ctx context.Context, id string) error {
	return k.client.activate(ctx, k.admin, id)
}

// Exists implements apikey.Keys: a revoked key is unknown (404).
func (k keys) Exists(ctx context.Context, id string) (bool, error) {
	_, err := k.client.get(ctx, k.admin, id)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Revoke implements apikey.Keys.
func (k keys) Revoke(ctx context.Context, id string) error {
	return k.client.revoke(ctx, k.admin, id)
}
