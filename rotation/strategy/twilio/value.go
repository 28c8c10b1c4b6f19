package twilio

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
)

// Twilio SIDs: two letters and 32 hex digits. They go into URL paths, so they
// are checked before use.
var (
	accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	keySIDPattern     = regexp.MustCompile(`^SK[0-9a-fA-F]{32}$`)
)

// value is the rotated secret's value, plus fields kept beside it, carried over.
type value struct {
	AccountSID   string
	APIKeySID    string
	APIKeySecret string
	rest         map[string]json.RawMessage
}

// firstValueHint says what an operator must store before the first rotation.
const firstValueHint = `before the first rotation store {"accountSid":"AC..."}; the rotator mints the key`

// parseValue reads a secret value. Its errors never quote the value.
func parseValue(b []byte) (value, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return value{}, errors.New("value is not a JSON object; " + firstValueHint)
	}
	var v value
	for field, dst := range map[string]*string{"accountSid": &v.AccountSID, "apiKeySid": &v.APIKeySID, "apiKeySecret": &v.APIKeySecret} {
		raw, ok := m[field]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return value{}, fmt.Errorf("value field %s is not a string", field)
		}
		delete(m, field)
	}
	if v.AccountSID != "" && !accountSIDPattern.MatchString(v.AccountSID) {
		return value{}, errors.New("value field accountSid is not an account SID (AC + 32 hex digits)")
	}
	if v.APIKeySID != "" && !keySIDPattern.MatchString(v.APIKeySID) {
		return value{}, errors.New("value field apiKeySid is not an API key SID (SK + 32 hex digits)")
	}
	v.rest = m
	return v, nil
}

// marshal renders the value back to JSON.
func (v value) marshal() ([]byte, error) {
	m := make(map[string]any, len(v.rest)+3)
	for k, raw := range v.rest {
		m[k] = raw
	}
	m["accountSid"] = v.AccountSID
	m["apiKeySid"] = v.APIKeySID
	m["apiKeySecret"] = v.APIKeySecret
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	return b, nil
}

// admin is the credential that may manage keys: the account's auth token or a
// Main API key.
type admin struct {
	AccountSID   string `json:"accountSid"`
	AuthToken    string `json:"authToken"`
	APIKeySID    string `json:"apiKeySid"`
	APIKeySecret string `json:"apiKeySecret"`
}

// basicAuth returns the user and password Twilio expects for the credential.
func (a admin) basicAuth() (string, string) {
	if a.APIKeySID != "" {
		return a.APIKeySID, a.APIKeySecret
	}
	return a.AccountSID, a.AuthToken
}

// adminShape is the admin secret's documented shape, for errors.
const adminShape = `{"accountSid":"AC...","authToken":"..."} or {"accountSid":"AC...","apiKeySid":"SK...","apiKeySecret":"..."}`

// parseAdmin reads the admin secret's value. Its errors never quote the value.
func parseAdmin(b []byte) (admin, error) {
	var a admin
	if err := json.Unmarshal(b, &a); err != nil {
		return admin{}, errors.New("value is not " + adminShape)
	}
	tokenOK := a.AuthToken != "" && a.APIKeySID == ""
	keyOK := a.AuthToken == "" && keySIDPattern.MatchString(a.APIKeySID) && a.APIKeySecret != ""
	if !accountSIDPattern.MatchString(a.AccountSID) || !(tokenOK || keyOK) {
		return admin{}, errors.New("value is not " + adminShape)
	}
	return a, nil
}

// friendlyName is the FriendlyName of the key minted for one rotation. It is
// derived from the secret and the token, so that a createSecret retried after a
// crash finds the key its first attempt made, and hashed to fit Twilio's
// 64-character limit without revealing anything.
func friendlyName(secretARN, token string) string {
	sum := sha256.Sum256([]byte(secretARN + "\x00" + token))
	return "sm-rotation-" + hex.EncodeToString(sum[:20])
}
