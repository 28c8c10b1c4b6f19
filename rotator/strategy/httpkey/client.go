package httpkey

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// maxBody bounds what is read of a response: the contract's answers are small.
const maxBody = 1 << 20

// errNotFound is the contract's 404: an unknown or revoked key.
var errNotFound = errors.New("key not found")

// key is a key as the contract describes it. Secret is set only in the answer
// to a create: providers show a key's secret once.
type key struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Status string `json:"status"`
	Secret string `json:"apiKey,omitempty"`
}

// client speaks the key-management contract.
type client struct {
	base *url.URL
	http *http.Client
}

// statusError is a non-2xx answer. It keeps the status only: a body could echo
// a credential, so it is never read into an error.
type statusError struct {
	method, path string
	status       int
}

func (e *statusError) Error() string {
	return fmt.Sprintf("%s %s: status %d %s", e.method, e.path, e.status, http.StatusText(e.status))
}

// do sends one request, authenticated with bearer, and decodes a 2xx JSON answer
// into out (when out is not nil). A 404 is errNotFound wrapped in a statusError.
func (c *client) do(ctx context.Context, method, path string, query url.Values, bearer string, in, out any) error {
	u := c.base.JoinPath(path)
	u.RawQuery = query.Encode()
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s %s: encode request: %w", method, path, err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+bearer)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL, which holds ids and names but no secret.
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		serr := &statusError{method: method, path: path, status: resp.StatusCode}
		if resp.StatusCode == http.StatusNotFound {
			return fmt.Errorf("%w: %w", serr, errNotFound)
		}
		return serr
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		return nil
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(out); err != nil {
		// The decoder's error quotes no input beyond a type or offset.
		return fmt.Errorf("%s %s: decode answer: %w", method, path, errors.New("malformed JSON"))
	}
	return nil
}

// findByName returns the keys named name (none, normally; one after a crash).
func (c *client) findByName(ctx context.Context, admin, name string) ([]key, error) {
	var out struct {
		Keys []key `json:"keys"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/keys", url.Values{"name": {name}}, admin, nil, &out); err != nil {
		return nil, err
	}
	var found []key
	for _, k := range out.Keys {
		// A provider that filters loosely must not make us delete another key.
		if k.Name == name {
			found = append(found, k)
		}
	}
	return found, nil
}

// create mints an inactive key named name and returns it with its secret.
func (c *client) create(ctx context.Context, admin, name string) (key, error) {
	var k key
	if err := c.do(ctx, http.MethodPost, "/v1/keys", nil, admin, map[string]string{"name": name}, &k); err != nil {
		return key{}, err
	}
	if k.ID == "" || k.Secret == "" {
		return key{}, errors.New("POST /v1/keys: answer lacks id or apiKey")
	}
	return k, nil
}

// get fetches a key's metadata; errNotFound when it is unknown or revoked.
func (c *client) get(ctx context.Context, admin, id string) (key, error) {
	var k key
	err := c.do(ctx, http.MethodGet, "/v1/keys/"+url.PathEscape(id), nil, admin, nil, &k)
	return k, err
}

// activate makes a key usable; activating an active key succeeds.
func (c *client) activate(ctx context.Context, admin, id string) error {
	return c.do(ctx, http.MethodPost, "/v1/keys/"+url.PathEscape(id)+"/activate", nil, admin, nil, nil)
}

// revoke deletes a key; a key already gone (404) counts as revoked.
func (c *client) revoke(ctx context.Context, admin, id string) error {
	err := c.do(ctx, http.MethodDelete, "/v1/keys/"+url.PathEscape(id), nil, admin, nil, nil)
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// whoami authenticates with the API key itself and returns the key id the
// provider saw, proving the key works and is the one we think it is.
func (c *client) whoami(ctx context.Context, apiKey string) (string, error) {
	var out struct {
		KeyID string `json:"keyId"`
	}
	if err := c.do(ctx, http.MethodGet, "/v1/whoami", nil, apiKey, nil, &out); err != nil {
		return "", err
	}
	return out.KeyID, nil
}
