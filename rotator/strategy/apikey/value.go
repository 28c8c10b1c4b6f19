package apikey

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Object is a secret value read as a JSON object: the string fields a provider
// names go to the provider's value, and every other field (an endpoint an
// operator keeps beside the key, say) is kept here, to be carried over.
type Object struct {
	rest map[string]json.RawMessage
}

// ParseObject reads b as a JSON object. Each field named in fields is read as a
// string into its destination; the others are kept in the Object. notObject is
// the error when b is not a JSON object. Errors never quote b.
func ParseObject(b []byte, notObject string, fields map[string]*string) (Object, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return Object{}, errors.New(notObject)
	}
	for field, dst := range fields {
		raw, ok := m[field]
		if !ok {
			continue
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			return Object{}, fmt.Errorf("value field %s is not a string", field)
		}
		delete(m, field)
	}
	return Object{rest: m}, nil
}

// Marshal renders the kept fields and fields as one JSON object.
func (o Object) Marshal(fields map[string]string) ([]byte, error) {
	m := make(map[string]any, len(o.rest)+len(fields))
	for k, raw := range o.rest {
		m[k] = raw
	}
	for k, v := range fields {
		m[k] = v
	}
	b, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode value: %w", err)
	}
	return b, nil
}
