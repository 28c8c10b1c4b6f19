package httpkey

import (
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// value is the rotated secret's value: the key's id and secret, plus whatever
// other fields an operator keeps beside them (an endpoint, say), carried over.
type value struct {
	ID     string // keyId
	APIKey string
	rest   apikey.Object
}

// parseValue reads a secret value. Its errors never quote the value.
func parseValue(b []byte) (value, error) {
	var v value
	rest, err := apikey.ParseObject(b,
		`value is not a JSON object; store {"keyId":"...","apiKey":"..."}, or {} before the first rotation`,
		map[string]*string{"keyId": &v.ID, "apiKey": &v.APIKey})
	if err != nil {
		return value{}, err
	}
	v.rest = rest
	return v, nil
}

// marshal renders the value back to JSON.
func (v value) marshal() ([]byte, error) {
	return v.rest.Marshal(map[string]string{"keyId": v.ID, "apiKey": v.APIKey})
}
