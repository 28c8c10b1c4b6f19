package keyring

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
)

// envelopeVersion is the first byte of every ciphertext.
const envelopeVersion = 1

// ErrDecrypt means a ciphertext could not be opened: it was altered, it belongs
// to another associated data, or its key is no longer in the ring.
var ErrDecrypt = errors.New("decrypt: message authentication failed")

// ErrUnknownKey means the ciphertext names a key the ring does not hold: it
// was retired, or the ring is older than the data.
var ErrUnknownKey = errors.New("decrypt: key not in the ring")

// Encrypt seals plaintext with the active key (AES-256-GCM, random nonce).
// ad is optional associated data, such as a record id, that Decrypt must be
// given again: it binds the ciphertext to its context without being stored.
func (r *Ring) Encrypt(plaintext, ad []byte) ([]byte, error) {
	aead, err := newAEAD(r.keys[r.active])
	if err != nil {
		return nil, err
	}
	header := make([]byte, 0, 2+len(r.active)+aead.NonceSize()+len(plaintext)+aead.Overhead())
	header = append(header, envelopeVersion, byte(len(r.active)))
	header = append(header, r.active...)
	hlen := len(header)
	nonce := header[hlen : hlen+aead.NonceSize()]
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("encrypt: read nonce: %w", err)
	}
	out := header[:hlen+aead.NonceSize()]
	return aead.Seal(out, nonce, plaintext, additional(header[:hlen], ad)), nil
}

// Decrypt opens a ciphertext made by Encrypt with the key it names, given the
// same associated data.
func (r *Ring) Decrypt(ciphertext, ad []byte) ([]byte, error) {
	id, rest, err := splitEnvelope(ciphertext)
	if err != nil {
		return nil, err
	}
	key, ok := r.keys[id]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnknownKey, id)
	}
	aead, err := newAEAD(key)
	if err != nil {
		return nil, err
	}
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("decrypt: ciphertext too short")
	}
	nonce, sealed := rest[:aead.NonceSize()], rest[aead.NonceSize():]
	header := ciphertext[:2+len(id)]
	pt, err := aead.Open(nil, nonce, sealed, additional(header, ad))
	if err != nil {
		return nil, ErrDecrypt
	}
	return pt, nil
}

// KeyID returns the id of the key a ciphertext was encrypted with, without
// decrypting it: re-encryption jobs use it to find data under a key that is to
// be retired.
func KeyID(ciphertext []byte) (string, error) {
	id, _, err := splitEnvelope(ciphertext)
	return id, err
}

func splitEnvelope(c []byte) (id string, rest []byte, err error) {
	if len(c) < 2 {
		return "", nil, fmt.Errorf("decrypt: ciphertext too short")
	}
	if c[0] != envelopeVersion {
		return "", nil, fmt.Errorf("decrypt: unknown envelope version %d", c[0])
	}
	n := int(c[1])
	if n == 0 || n > maxIDLen || len(c) < 2+n {
		return "", nil, fmt.Errorf("decrypt: malformed key id in envelope")
	}
	return string(c[2 : 2+n]), c[2+n:], nil
}

// additional authenticates the envelope header along with the caller's data.
// The header has a fixed layout (its length is inside it), so the
// concatenation is unambiguous.
func additional(header, ad []byte) []byte {
	out := make([]byte, 0, len(header)+len(ad))
	return append(append(out, header...), ad...)
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		// aes.KeySizeError reports only the length.
		return nil, fmt.Errorf("new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("new gcm: %w", err)
	}
	return aead, nil
}
