package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// maxBody bounds what is read of an answer.
const maxBody = 1 << 20

// maxListPages bounds the walk through Keys.json: at 1000 keys a page, more
// pages mean broken paging, not more keys.
const maxListPages = 20

// errNotFound is Twilio's 404: an unknown or deleted key.
var errNotFound = errors.New("not found")

// apiKey is a Key resource. Secret is set only in the answer to a create:
// Twilio shows a key's secret once.
type apiKey struct {
	SID          string `json:"sid"`
	FriendlyName string `json:"friendly_name"`
	Secret       string `json:"secret,omitempty"`
}

// client speaks Twilio's REST API for one account.
type client struct {
	base    *url.URL
	http    *http.Client
	account string
}

// statusError is a non-2xx answer. It keeps the status and Twilio's numeric
// error code: the body's text is never put in an error.
type statusError struct {
	method, path string
	status, code int
}

func (e *statusError) Error() string {
	s := fmt.Sprintf("%s %s: status %d %s", e.method, e.path, e.status, http.StatusText(e.status))
	if e.code != 0 {
		s += fmt.Sprintf(" (Twilio error %d)", e.code)
	}
	return s
}

// accountPath is the path of a resource under the account.
func (c *client) accountPath(rest string) string {
	return "/2010-04-01/Accounts/" + c.account + rest
}

// do sends one request with basic auth and decodes a 2xx JSON answer into out.
// pathAndQuery is relative to the base URL and may carry a query (Twilio's
// next_page_uri does).
func (c *client) do(ctx context.Context, method, pathAndQuery string, form url.Values, user, pass string, out any) error {
	ref, err := url.Parse(pathAndQuery)
	if err != nil || ref.IsAbs() || ref.Host != "" {
		return fmt.Errorf("%s: path is not relative to the API base URL", method)
	}
	path := ref.Path
	u := c.base.JoinPath(ref.Path)
	u.RawQuery = ref.RawQuery
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.SetBasicAuth(user, pass)
	req.Header.Set("Accept", "application/json")
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		// *url.Error names the URL: SIDs and a page token, no secret (basic
		// auth travels in a header, not in the URL).
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var twErr struct {
			Code int `json:"code"`
		}
		_ = json.NewDecoder(io.LimitReader(resp.Body, maxBody)).Decode(&twErr)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxBody))
		serr := &statusError{method: method, path: path, status: resp.StatusCode, code: twErr.Code}
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
		return fmt.Errorf("%s %s: decode answer: malformed JSON", method, path)
	}
	return nil
}

// findByName lists the account's keys and returns those named name.
func (c *client) findByName(ctx context.Context, a admin, name string) ([]apiKey, error) {
	user, pass := a.basicAuth()
	next := c.accountPath("/Keys.json") + "?PageSize=1000"
	var found []apiKey
	for range maxListPages {
		var page struct {
			Keys        []apiKey `json:"keys"`
			NextPageURI *string  `json:"next_page_uri"`
		}
		if err := c.do(ctx, http.MethodGet, next, nil, user, pass, &page); err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			if k.FriendlyName == name {
				found = append(found, k)
			}
		}
		if page.NextPageURI == nil || *page.NextPageURI == "" {
			return found, nil
		}
		next = *page.NextPageURI
	}
	return nil, fmt.Errorf("list keys: more than %d pages", maxListPages)
}

// create mints a Standard key named name.
func (c *client) create(ctx context.Context, a admin, name string) (apiKey, error) {
	user, pass := a.basicAuth()
	var k apiKey
	if err := c.do(ctx, http.MethodPost, c.accountPath("/Keys.json"), url.Values{"FriendlyName": {name}}, user, pass, &k); err != nil {
		return apiKey{}, err
	}
	if !keySIDPattern.MatchString(k.SID) || k.Secret == "" {
		return apiKey{}, errors.New("POST Keys.json: answer lacks a key sid or secret")
	}
	return k, nil
}

// fetch reads a key's metadata; errNotFound when it is gone.
func (c *client) fetch(ctx context.Context, a admin, sid string) (apiKey, error) {
	user, pass := a.basicAuth()
	var k apiKey
	err := c.do(ctx, http.MethodGet, c.accountPath("/Keys/"+sid+".json"), nil, user, pass, &k)
	return k, err
}

// remove deletes a key; a key already gone (404) counts as deleted.
func (c *client) remove(ctx context.Context, a admin, sid string) error {
	user, pass := a.basicAuth()
	err := c.do(ctx, http.MethodDelete, c.accountPath("/Keys/"+sid+".json"), nil, user, pass, nil)
	if errors.Is(err, errNotFound) {
		return nil
	}
	return err
}

// balance authenticates as the key itself and returns the account it reached:
// a cheap read that any Standard key may make.
func (c *client) balance(ctx context.Context, keySID, secret string) (string, error) {
	var out struct {
		AccountSID string `json:"account_sid"`
	}
	if err := c.do(ctx, http.MethodGet, c.accountPath("/Balance.json"), nil, keySID, secret, &out); err != nil {
		return "", err
	}
	return out.AccountSID, nil
}
