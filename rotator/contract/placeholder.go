package contract

import (
	"encoding/json"
	"fmt"
)

// PlaceholderKey marks a secret version that holds no secret: the first
// version the program writes before the rotator makes the first value, or
// before an operator puts it (decision D3). Applications, rotators and tests
// recognise a placeholder by this key alone.
const PlaceholderKey = "secretsPlatformPlaceholder"

// PlaceholderStage is the staging label the program's first version carries
// besides the AWSCURRENT Secrets Manager gives a secret's first version. If
// Pulumi ever recreates that version, it names only this label, so
// AWSCURRENT stays on the real value.
const PlaceholderStage = "PLACEHOLDER"

// placeholderText says, in the secret itself, what an operator is looking at.
const placeholderText = "no value yet: the first rotation, or an operator's first put, writes it"

// Placeholder is the JSON of a placeholder version. fields are the value's
// non-secret parts (a database secret's engine, host, port, dbname, username,
// masterarn), so that its rotator knows where to connect; they must not use
// PlaceholderKey.
func Placeholder(fields map[string]any) (string, error) {
	doc := map[string]any{}
	for k, v := range fields {
		if k == PlaceholderKey {
			return "", fmt.Errorf("placeholder: field %q is reserved", k)
		}
		doc[k] = v
	}
	doc[PlaceholderKey] = placeholderText
	b, err := json.Marshal(doc)
	if err != nil {
		return "", fmt.Errorf("placeholder: %w", err)
	}
	return string(b), nil
}

// IsPlaceholder reports whether a secret value is a placeholder.
func IsPlaceholder(value []byte) bool {
	var probe map[string]json.RawMessage
	if json.Unmarshal(value, &probe) != nil {
		return false
	}
	_, ok := probe[PlaceholderKey]
	return ok
}
