package httpkey

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// Strategy rotates API keys through the key-management contract. It
// implements engine.Strategy and grace.Revoker.
type Strategy = apikey.Strategy

// New returns a Strategy on api's base URL and admin secret, which holds
// {"adminToken": "..."}.
func New(api contract.KeyAPI, c apikey.Clients) (*Strategy, error) {
	base, err := apikey.BaseURL(api.BaseURL)
	if err != nil {
		return nil, fmt.Errorf("new %s strategy: %w", contract.HTTPKey, err)
	}
	return apikey.New(contract.HTTPKey, api, provider{client: &client{base: base, http: c.HTTP}}, c)
}

// provider is the key-management contract as an apikey.Provider.
type provider struct {
	client *client
}

// KeyID implements apikey.Provider.
func (provider) KeyID(b []byte) (string, error) {
	v, err := parseValue(b)
	if err != nil {
		return "", err
	}
	return v.ID, nil
}

// Account implements apikey.Provider; the contract has no accounts, and its
// admin secret is {"adminToken": "..."}.
func (p provider) Account(adminValue, value []byte) (apikey.Account, error) {
	var a struct {
		AdminToken string `json:"adminToken"`
	}
	if err := json.Unmarshal(adminValue, &a); err != nil || a.AdminToken == "" {
		return nil, errors.New(`value is not {"adminToken": "..."}`)
	}
	v, err := parseValue(value)
	if err != nil {
		return nil, err
	}
	return account{client: p.client, admin: a.AdminToken, value: v}, nil
}

// Test implements apikey.Provider: whoami, authenticated with the key itself,
// names the key the provider saw.
func (p provider) Test(ctx context.Context, pending []byte) error {
	v, err := parseValue(pending)
	if err != nil {
		return err
	}
	if v.APIKey == "" {
		return errors.New("pending value has no apiKey")
	}
	got, err := p.client.whoami(ctx, v.APIKey)
	if err != nil {
		return err
	}
	if got != v.ID {
		return fmt.Errorf("provider authenticated key %q", got)
	}
	return nil
}

// account is the contract's key calls, authenticated with the admin token.
type account struct {
	client *client
	admin  string
	value  value
}

// FindByName implements apikey.Account.
func (a account) FindByName(ctx context.Context, name string) ([]string, error) {
	found, err := a.client.findByName(ctx, a.admin, name)
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(found))
	for _, f := range found {
		if f.ID == "" {
			return nil, errors.New("answer lists a key without an id")
		}
		ids = append(ids, f.ID)
	}
	return ids, nil
}

// Create implements apikey.Account: it mints an inactive key.
func (a account) Create(ctx context.Context, name string) ([]byte, error) {
	created, err := a.client.create(ctx, a.admin, name)
	if err != nil {
		return nil, err
	}
	next := a.value
	next.ID, next.APIKey = created.ID, created.Secret
	return next.marshal()
}

// Activate implements apikey.Account.
func (a account) Activate(ctx context.Context, id string) error {
	return a.client.activate(ctx, a.admin, id)
}

// Exists implements apikey.Account: a revoked key is unknown (404).
func (a account) Exists(ctx context.Context, id string) (bool, error) {
	_, err := a.client.get(ctx, a.admin, id)
	if errors.Is(err, errNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, nil
}

// Revoke implements apikey.Account.
func (a account) Revoke(ctx context.Context, id string) error {
	return a.client.revoke(ctx, a.admin, id)
}
