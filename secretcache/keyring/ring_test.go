package keyring_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/acme/secrets-platform/secretcache/keyring"
)

// key returns a distinct, recognisable 32-byte test key.
func key(b byte) []byte { return bytes.Repeat([]byte{b}, keyring.KeySize) }

func b64(k []byte) string { return base64.StdEncoding.EncodeToString(k) }

// assertNoSecret fails when msg contains any of the secrets, raw or in base64.
func assertNoSecret(t *testing.T, msg string, secrets ...[]byte) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(msg, string(s)) || strings.Contains(msg, b64(s)) {
			t.Errorf("error %q contains secret material", msg)
		}
	}
}

func TestParse(t *testing.T) {
	k1, k2 := key(1), key(2)
	tests := []struct {
		name       string
		value      string
		wantActive string
		wantIDs    []string
		wantErr    bool
	}{
		{"bootstrap ring", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q}}`, b64(k1)), "k1", []string{"k1"}, false},
		{"two keys", fmt.Sprintf(`{"active":"k2","keys":{"k1":%q,"k2":%q}}`, b64(k1), b64(k2)), "k2", []string{"k1", "k2"}, false},
		{"legacy bare key", b64(k1), keyring.LegacyID, []string{keyring.LegacyID}, false},
		{"legacy bare key with newline", b64(k1) + "\n", keyring.LegacyID, []string{keyring.LegacyID}, false},
		{"empty", "", "", nil, true},
		{"legacy key too short", b64(k1[:16]), "", nil, true},
		{"legacy not base64", "not a key!", "", nil, true},
		{"active missing", fmt.Sprintf(`{"active":"k9","keys":{"k1":%q}}`, b64(k1)), "", nil, true},
		{"no keys", `{"active":"k1","keys":{}}`, "", nil, true},
		{"key wrong size", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q}}`, b64(k1[:31])), "", nil, true},
		{"key not base64", `{"active":"k1","keys":{"k1":"%%%"}}`, "", nil, true},
		{"bad id", fmt.Sprintf(`{"active":"k 1","keys":{"k 1":%q}}`, b64(k1)), "", nil, true},
		{"unknown field", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q},"extra":1}`, b64(k1)), "", nil, true},
		{"trailing data", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q}} {}`, b64(k1)), "", nil, true},
		{"broken JSON", fmt.Sprintf(`{"active":"k1","keys":{"k1":%q`, b64(k1)), "", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := keyring.Parse([]byte(tt.value))
			if tt.wantErr {
				if err == nil {
					t.Fatalf("Parse: got nil error, want one")
				}
				if !errors.Is(err, keyring.ErrMalformed) {
					t.Errorf("Parse error: got %v, want ErrMalformed", err)
				}
				assertNoSecret(t, err.Error(), k1, k2, k1[:31], k1[:16])
				return
			}
			if err != nil {
				t.Fatalf("Parse: got %v, want no error", err)
			}
			if got := r.Active(); got != tt.wantActive {
				t.Errorf("Active: got %q, want %q", got, tt.wantActive)
			}
			if got := r.IDs(); !slices.Equal(got, tt.wantIDs) {
				t.Errorf("IDs: got %v, want %v", got, tt.wantIDs)
			}
		})
	}
}

func TestParseRefusesTooManyKeys(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"active":"k0","keys":{`)
	for i := range keyring.MaxKeys + 1 {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "%q:%q", fmt.Sprintf("k%d", i), b64(key(byte(i))))
	}
	b.WriteString("}}")
	if _, err := keyring.Parse([]byte(b.String())); !errors.Is(err, keyring.ErrMalformed) {
		t.Errorf("Parse of %d keys: got %v, want ErrMalformed", keyring.MaxKeys+1, err)
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	r, err := keyring.New("k1", key(1))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r, err = r.WithActiveKey("k2", key(2))
	if err != nil {
		t.Fatalf("WithActiveKey: %v", err)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	back, err := keyring.Parse(data)
	if err != nil {
		t.Fatalf("Parse(Marshal): %v", err)
	}
	if back.Active() != "k2" || !slices.Equal(back.IDs(), []string{"k1", "k2"}) {
		t.Errorf("round trip: got active %q ids %v, want k2 [k1 k2]", back.Active(), back.IDs())
	}
	for _, id := range []string{"k1", "k2"} {
		if !back.SameKey(r, id) {
			t.Errorf("round trip changed key %s", id)
		}
	}
}

func TestChangesReturnNewRings(t *testing.T) {
	r, err := keyring.New("k1", key(1))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r2, err := r.WithActiveKey("k2", key(2))
	if err != nil {
		t.Fatalf("WithActiveKey: %v", err)
	}
	if r.Active() != "k1" || r.Len() != 1 {
		t.Errorf("WithActiveKey changed the original ring: got active %q len %d, want k1 1", r.Active(), r.Len())
	}
	tests := []struct {
		name string
		do   func() (*keyring.Ring, error)
	}{
		{"duplicate id", func() (*keyring.Ring, error) { return r2.WithActiveKey("k1", key(3)) }},
		{"short key", func() (*keyring.Ring, error) { return r2.WithActiveKey("k3", key(3)[:16]) }},
		{"retire active", func() (*keyring.Ring, error) { return r2.Without("k2") }},
		{"retire unknown", func() (*keyring.Ring, error) { return r2.Without("k7") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.do(); err == nil {
				t.Errorf("got nil error, want a refusal")
			} else {
				assertNoSecret(t, err.Error(), key(1), key(2), key(3))
			}
		})
	}
	r3, err := r2.Without("k1")
	if err != nil {
		t.Fatalf("Without(k1): %v", err)
	}
	if r3.Has("k1") || !r2.Has("k1") {
		t.Errorf("Without: got new has k1 %v, old has k1 %v; want false, true", r3.Has("k1"), r2.Has("k1"))
	}
}
