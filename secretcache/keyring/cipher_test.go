package keyring_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/acme/secrets-platform/secretcache/keyring"
)

func ring(t *testing.T, ids ...string) *keyring.Ring {
	t.Helper()
	r, err := keyring.New(ids[0], key(1))
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for i, id := range ids[1:] {
		if r, err = r.WithActiveKey(id, key(byte(i+2))); err != nil {
			t.Fatalf("WithActiveKey: %v", err)
		}
	}
	return r
}

func TestEncryptDecryptRoundTrip(t *testing.T) {
	r := ring(t, "k1", "k2")
	tests := []struct {
		name string
		pt   []byte
		ad   []byte
	}{
		{"empty", nil, nil},
		{"text", []byte("4111 1111 1111 1111"), nil},
		{"with associated data", []byte("4111 1111 1111 1111"), []byte("customer/42/card")},
		{"binary", bytes.Repeat([]byte{0, 255}, 1000), []byte{0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := r.Encrypt(tt.pt, tt.ad)
			if err != nil {
				t.Fatalf("Encrypt: %v", err)
			}
			if id, err := keyring.KeyID(c); err != nil || id != "k2" {
				t.Errorf("KeyID: got %q, %v; want the active k2", id, err)
			}
			if len(tt.pt) > 4 && bytes.Contains(c, tt.pt) {
				t.Errorf("ciphertext contains the plaintext")
			}
			got, err := r.Decrypt(c, tt.ad)
			if err != nil {
				t.Fatalf("Decrypt: %v", err)
			}
			if !bytes.Equal(got, tt.pt) {
				t.Errorf("Decrypt: got %d bytes different from the %d encrypted", len(got), len(tt.pt))
			}
			again, err := r.Encrypt(tt.pt, tt.ad)
			if err != nil {
				t.Fatalf("Encrypt again: %v", err)
			}
			if bytes.Equal(again, c) {
				t.Errorf("two encryptions are identical, want a fresh nonce each time")
			}
		})
	}
}

func TestOldKeysStayReadable(t *testing.T) {
	r := ring(t, "k1")
	var cts [][]byte
	for _, id := range []string{"k2", "k3", "k4"} {
		c, err := r.Encrypt([]byte("under "+r.Active()), nil)
		if err != nil {
			t.Fatalf("Encrypt: %v", err)
		}
		cts = append(cts, c)
		if r, err = r.WithActiveKey(id, key(id[1])); err != nil {
			t.Fatalf("WithActiveKey(%s): %v", id, err)
		}
	}
	for i, c := range cts {
		want := "under k" + string(rune('1'+i))
		got, err := r.Decrypt(c, nil)
		if err != nil || string(got) != want {
			t.Errorf("Decrypt data %d: got %q, %v; want %q", i, got, err, want)
		}
	}
}

func TestTamperIsDetected(t *testing.T) {
	r := ring(t, "k1", "k2")
	secret := []byte("the plaintext under test")
	c, err := r.Encrypt(secret, []byte("ctx"))
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}
	for i := range c {
		bad := bytes.Clone(c)
		bad[i] ^= 0x01
		if pt, err := r.Decrypt(bad, []byte("ctx")); err == nil {
			t.Errorf("byte %d flipped: got %d bytes and no error, want an error", i, len(pt))
		} else {
			assertNoSecret(t, err.Error(), secret, key(1), key(2))
		}
	}

	swapped := bytes.Clone(c)
	copy(swapped[2:4], "k1") // same length id, the other key
	retired, err := r.Without("k1")
	if err != nil {
		t.Fatalf("Without: %v", err)
	}
	old, err := ring(t, "k1").Encrypt(secret, nil)
	if err != nil {
		t.Fatalf("Encrypt: %v", err)
	}

	tests := []struct {
		name    string
		r       *keyring.Ring
		c, ad   []byte
		wantErr error
	}{
		{"wrong associated data", r, c, []byte("other"), keyring.ErrDecrypt},
		{"missing associated data", r, c, nil, keyring.ErrDecrypt},
		{"key id swapped", r, swapped, []byte("ctx"), keyring.ErrDecrypt},
		{"retired key", retired, old, nil, keyring.ErrUnknownKey},
		{"truncated", r, c[:len(c)-1], []byte("ctx"), keyring.ErrDecrypt},
		{"only header", r, c[:4], []byte("ctx"), nil},
		{"empty", r, nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.r.Decrypt(tt.c, tt.ad)
			if err == nil {
				t.Fatalf("Decrypt: got nil error, want one")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("Decrypt: got %v, want %v", err, tt.wantErr)
			}
			assertNoSecret(t, err.Error(), secret, key(1), key(2))
		})
	}
}
