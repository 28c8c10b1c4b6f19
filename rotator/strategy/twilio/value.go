package twilio

import (
	"encoding/json"
	"errors"
	"regexp"

	"github.com/acme/secrets-platform/rotator/strategy/apikey"
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
	rest         apikey.Object
}

// firstValueHint says what an operator must store before the first rotation.
const firstValueHint = `before the first rotation store {"accountSid":"AC..."}; the rotator mints the key`

// parseValue reads a secret value. Its errors never quote the value.
func parseValue(b []byte) (value, error) {
	var v value
	rest, err := apikey.ParseObject(b, "value is not a JSON object; "+firstValueHint,
		map[string]*string{"accountSid": &v.AccountSID, "apiKeySid": &v.APIKeySID, "apiKeySecret": &v.APIKeySecret})
	if err != nil {
		return value{}, err
	}
	if v.AccountSID != "" && !accountSIDPattern.MatchString(v.AccountSID) {
		return value{}, errors.New("value field accountSid is not an account SID (AC + 32 hex digits)")
	}
	if v.APIKeySID != "" && !keySIDPattern.MatchString(v.APIKeySID) {
		return value{}, errors.New("value field apiKeySid is not an API key SID (SK + 32 hex digits)")
	}
	v.rest = rest
	return v, nil
}

// marshal renders the value back to JSON.
func (v value) marshal() ([]byte, error) {
	return v.rest.Marshal(map[string]string{"accountSid": v.AccountSID, "apiKeySid": v.APIKeySID, "apiKeySecret": v.APIKeySecret})
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
