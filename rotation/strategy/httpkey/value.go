package httpkey

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
)

// value is the rotated secret's value: the key's id and secret, plus whatever
// other fields an operator keeps beside them (an endpoint, say), carried over.
type value struct {
	KeyID  string
	APIKey string
	rest   map[string]json.RawMessage
}

// parseValue reads a secret value. Its errors never quote the value.
func parseValue(b []byte) (value, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return value{}, errors.New(`value is not a JSON object; store {"keyId":"...","apiKey":"..."}, or {} before the first rotation`)
	}
	var v value
	for field, dst := range map[string]*string{"keyId": &v.KeyID, "apiKey": &v.APIKey} {
		raw, ok := m[field]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return value{}, fmt.Errorf("value field %s is not a string", field)
		}
		delete(m, field)
	}
	v.rest = m
	return v, nil
}

// marshal renders the value back to JSON.
func (v value) marshal() ([]byte, error) {
	m := make(map[string]any, len(v.rest)+2)
	for k, raw := range v.rest {
		m[k] = raw
	}
	m["keyId"] = v.KeyID
	m["apiKey"] = v.APIKey
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	return b, nil
}

// keyName is the client-chosen name of the key minted for one rotation. It is
// derived from the secret and the rotation token, so that a createSecret retried
// after a crash finds the key its first attempt made; it is a hash so that it
// fits any provider's name limit (Twilio's is 64) and reveals nothing.
func keyName(secretARN, token string) string {
	sum := sha256.Sum256([]byte(secretARN + "\x00" + token))
	return "sm-rotation-" + hex.EncodeToString(sum[:20])
}
