// Package keyring encrypts application data with the field-encryption key
// ring that the rotator keeps in Secrets Manager.
//
// It reads the ring, encrypts with its active key, decrypts with any key it
// holds.
//
// The secret value is a JSON object:
//
//	{"active": "k2", "keys": {"k1": "<base64 of 32 bytes>", "k2": "<base64 of 32 bytes>"}}
//
// Encrypt always uses the active key; Decrypt picks the key named in the
// ciphertext, so data encrypted under any key still in the ring stays readable
// after rotations. Rotation adds a key and makes it active, it never drops one:
// a key leaves the ring only through the explicit retirement procedure of the
// rotator's keyring strategy, after the data under it has been re-encrypted
// (KeyID tells which key a ciphertext needs).
//
// The ciphertext envelope is:
//
//	version (1 byte, 1) | key id length (1 byte) | key id | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// The version and key id are authenticated as associated data together with
// the caller's own associated data, so a ciphertext cannot be moved to another
// key id or context unnoticed.
//
// Errors never contain key material or plaintext.
package keyring

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// KeySize is the size of every key: AES-256.
const KeySize = 32

// MaxKeys is the most keys a ring may hold. The rotator enforces its own,
// usually lower, bound; this one only stops a corrupt value from being used.
const MaxKeys = 64

// maxIDLen fits the id length in the envelope's one byte, with room to spare.
const maxIDLen = 64

// LegacyID is the id a bare base64 key (the legacy single-key value) gets when
// it is read as a ring.
const LegacyID = "k1"

// Ring is a parsed key ring. It is immutable: the methods that change a ring
// return a new one, so a Ring can be shared between goroutines.
type Ring struct {
	active string
	keys   map[string][]byte
}

// ringJSON is the stored form.
type ringJSON struct {
	Active string            `json:"active"`
	Keys   map[string]string `json:"keys"`
}

// ErrMalformed means the value is not a key ring. Its wrapping error says what
// is wrong without quoting the value.
var ErrMalformed = errors.New("malformed key ring")

// New returns a ring holding one key, active under id.
func New(id string, key []byte) (*Ring, error) {
	if err := checkKey(id, key); err != nil {
		return nil, err
	}
	return &Ring{active: id, keys: map[string][]byte{id: bytes.Clone(key)}}, nil
}

// Parse reads a ring from a secret value: the JSON object above, or a bare
// base64 32-byte key (the legacy single-key value), which becomes a ring with
// that key active under LegacyID.
func Parse(value []byte) (*Ring, error) {
	v := bytes.TrimSpace(value)
	if len(v) > 0 && v[0] != '{' {
		key, err := base64.StdEncoding.DecodeString(string(v))
		if err != nil || len(key) != KeySize {
			// The decode error would quote the offending byte: say less.
			return nil, fmt.Errorf("%w: neither a JSON object nor a base64 %d-byte key", ErrMalformed, KeySize)
		}
		return New(LegacyID, key)
	}
	var rj ringJSON
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rj); err != nil {
		// json errors can quote input characters; report only where it broke.
		return nil, fmt.Errorf("%w: invalid JSON near byte %d", ErrMalformed, dec.InputOffset())
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", ErrMalformed)
	}
	if len(rj.Keys) == 0 {
		return nil, fmt.Errorf("%w: no keys", ErrMalformed)
	}
	if len(rj.Keys) > MaxKeys {
		return nil, fmt.Errorf("%w: %d keys, at most %d", ErrMalformed, len(rj.Keys), MaxKeys)
	}
	r := &Ring{active: rj.Active, keys: make(map[string][]byte, len(rj.Keys))}
	for id, enc := range rj.Keys {
		key, err := base64.StdEncoding.DecodeString(enc)
		if err != nil {
			return nil, fmt.Errorf("%w: key %q is not base64", ErrMalformed, id)
		}
		if err := checkKey(id, key); err != nil {
			return nil, err
		}
		r.keys[id] = key
	}
	if _, ok := r.keys[r.active]; !ok {
		return nil, fmt.Errorf("%w: active key %q is not in the ring", ErrMalformed, r.active)
	}
	return r, nil
}

func checkKey(id string, key []byte) error {
	if id == "" || len(id) > maxIDLen {
		return fmt.Errorf("%w: key id must be 1 to %d bytes, got %d", ErrMalformed, maxIDLen, len(id))
	}
	for _, c := range []byte(id) {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return fmt.Errorf("%w: key id %q has characters outside [A-Za-z0-9._-]", ErrMalformed, id)
		}
	}
	if len(key) != KeySize {
		return fmt.Errorf("%w: key %q is %d bytes, want %d", ErrMalformed, id, len(key), KeySize)
	}
	return nil
}

// Marshal returns the stored JSON form of the ring. The result holds key
// material: it belongs in Secrets Manager and nowhere else.
func (r *Ring) Marshal() ([]byte, error) {
	rj := ringJSON{Active: r.active, Keys: make(map[string]string, len(r.keys))}
	for id, key := range r.keys {
		rj.Keys[id] = base64.StdEncoding.EncodeToString(key)
	}
	out, err := json.Marshal(rj)
	if err != nil {
		return nil, fmt.Errorf("marshal key ring: %w", err)
	}
	return out, nil
}

// Active returns the id of the key Encrypt uses.
func (r *Ring) Active() string { return r.active }

// IDs returns the ids of all keys, sorted.
func (r *Ring) IDs() []string { return slices.Sorted(maps.Keys(r.keys)) }

// Len returns the number of keys.
func (r *Ring) Len() int { return len(r.keys) }

// Has reports whether the ring holds a key with id.
func (r *Ring) Has(id string) bool {
	_, ok := r.keys[id]
	return ok
}

// SameKey reports whether both rings hold the same key material under id. The
// rotator uses it to prove a new ring kept every old key.
func (r *Ring) SameKey(o *Ring, id string) bool {
	a, ok1 := r.keys[id]
	b, ok2 := o.keys[id]
	return ok1 && ok2 && bytes.Equal(a, b)
}

// WithActiveKey returns a new ring with key added under id and made active. It
// refuses an id already in the ring (a key is never replaced) and a ring that
// would exceed MaxKeys.
func (r *Ring) WithActiveKey(id string, key []byte) (*Ring, error) {
	if err := checkKey(id, key); err != nil {
		return nil, err
	}
	if r.Has(id) {
		return nil, fmt.Errorf("add key %q: the ring already holds that id", id)
	}
	if len(r.keys) >= MaxKeys {
		return nil, fmt.Errorf("add key %q: the ring holds %d keys, at most %d", id, len(r.keys), MaxKeys)
	}
	n := &Ring{active: id, keys: maps.Clone(r.keys)}
	n.keys[id] = bytes.Clone(key)
	return n, nil
}

// Without returns a new ring without the key id: the last step of retiring a
// key, once no data is encrypted under it any more. It refuses the active key.
func (r *Ring) Without(id string) (*Ring, error) {
	if id == r.active {
		return nil, fmt.Errorf("retire key %q: it is the active key", id)
	}
	if !r.Has(id) {
		return nil, fmt.Errorf("retire key %q: not in the ring", id)
	}
	n := &Ring{active: r.active, keys: maps.Clone(r.keys)}
	delete(n.keys, id)
	return n, nil
}
