package testenv

import (
	"bytes"
	"crypto/tls"
	"encoding/binary"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The authentication an Impostor asks a client for.
const (
	AuthCleartext = "cleartext"
	AuthMD5       = "md5"
	AuthSCRAM     = "scram"
)

// Impostor is a PostgreSQL look-alike that a hostile network or a hostile
// secret writer could put in a database's place. It answers SSLRequest with
// 'S', completes TLS with its certificate if the client accepts it, reads
// the startup message, asks for a password the way its auth says, and
// records the first message the client sends back; then it hangs up. It
// keeps every byte it received, before and after TLS, so that a test can
// prove no password reached it.
//
// It speaks the few protocol messages this takes itself (PostgreSQL
// protocol 3.0, "Message Formats"), which keeps this module on the standard
// library.
type Impostor struct {
	// Addr is where it listens, on 127.0.0.1.
	Addr *net.TCPAddr

	cert    tls.Certificate
	auth    string
	accepts atomic.Int64

	mu       sync.Mutex
	raw      bytes.Buffer // bytes on the wire, TLS records included
	plain    bytes.Buffer // bytes after TLS
	messages []string
}

// NewImpostor starts an impostor presenting cert and asking for auth
// (AuthCleartext, AuthMD5 or AuthSCRAM); it stops when the test ends.
func NewImpostor(t testing.TB, cert tls.Certificate, auth string) *Impostor {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	im := &Impostor{Addr: ln.Addr().(*net.TCPAddr), cert: cert, auth: auth}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			im.accepts.Add(1)
			go im.serve(c)
		}
	}()
	return im
}

// Accepts is how many TCP connections it accepted.
func (im *Impostor) Accepts() int64 { return im.accepts.Load() }

// Received reports, for each secret, whether its bytes reached the impostor,
// before or after TLS.
func (im *Impostor) Received(secrets ...string) []bool {
	im.mu.Lock()
	defer im.mu.Unlock()
	got := make([]bool, len(secrets))
	for i, s := range secrets {
		got[i] = s != "" && (bytes.Contains(im.raw.Bytes(), []byte(s)) || bytes.Contains(im.plain.Bytes(), []byte(s)))
	}
	return got
}

// Messages are what it received after TLS, in order: "StartupMessage", then
// the type of the client's answer to the password request ("Password" for a
// PasswordMessage or SASL response, which carry a password or its proof),
// or "Terminate".
func (im *Impostor) Messages() []string {
	im.mu.Lock()
	defer im.mu.Unlock()
	return append([]string(nil), im.messages...)
}

// recorder keeps what is read through it.
type recorder struct {
	io.Reader
	mu  *sync.Mutex
	buf *bytes.Buffer
}

func (r recorder) Read(p []byte) (int, error) {
	n, err := r.Reader.Read(p)
	r.mu.Lock()
	r.buf.Write(p[:n])
	r.mu.Unlock()
	return n, err
}

// rawConn is a connection whose reads are recorded.
type rawConn struct {
	net.Conn
	r recorder
}

func (c rawConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// sslRequestCode is the SSLRequest's request code.
const sslRequestCode = 80877103

func (im *Impostor) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	raw := rawConn{Conn: c, r: recorder{Reader: c, mu: &im.mu, buf: &im.raw}}
	first, err := readStartup(raw)
	if err != nil {
		return
	}
	if len(first) < 4 || binary.BigEndian.Uint32(first[:4]) != sslRequestCode {
		im.record("plaintext StartupMessage")
		return
	}
	if _, err := c.Write([]byte{'S'}); err != nil {
		return
	}
	tc := tls.Server(raw, &tls.Config{Certificates: []tls.Certificate{im.cert}, MinVersion: tls.VersionTLS12})
	if err := tc.Handshake(); err != nil {
		return
	}
	plain := recorder{Reader: tc, mu: &im.mu, buf: &im.plain}
	if _, err := readStartup(plain); err != nil {
		return
	}
	im.record("StartupMessage")
	if _, err := tc.Write(authRequest(im.auth)); err != nil {
		return
	}
	typ, err := readType(plain)
	if err != nil {
		return
	}
	switch typ {
	case 'p':
		im.record("Password")
	case 'X':
		im.record("Terminate")
	default:
		im.record(string(typ))
	}
}

func (im *Impostor) record(m string) {
	im.mu.Lock()
	defer im.mu.Unlock()
	im.messages = append(im.messages, m)
}

// readStartup reads a message without a type byte (SSLRequest, startup).
func readStartup(r io.Reader) ([]byte, error) {
	var n [4]byte
	if _, err := io.ReadFull(r, n[:]); err != nil {
		return nil, err
	}
	size := binary.BigEndian.Uint32(n[:])
	if size < 4 || size > 1<<16 {
		return nil, io.ErrUnexpectedEOF
	}
	body := make([]byte, size-4)
	_, err := io.ReadFull(r, body)
	return body, err
}

// readType reads one typed message and returns its type byte.
func readType(r io.Reader) (byte, error) {
	var h [5]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, err
	}
	size := binary.BigEndian.Uint32(h[1:])
	if size < 4 || size > 1<<16 {
		return 0, io.ErrUnexpectedEOF
	}
	_, err := io.CopyN(io.Discard, r, int64(size-4))
	return h[0], err
}

// authRequest is the server's AuthenticationCleartextPassword (3),
// AuthenticationMD5Password (5, with a salt) or AuthenticationSASL (10,
// offering SCRAM-SHA-256).
func authRequest(auth string) []byte {
	var body []byte
	switch auth {
	case AuthCleartext:
		body = binary.BigEndian.AppendUint32(nil, 3)
	case AuthMD5:
		body = append(binary.BigEndian.AppendUint32(nil, 5), 1, 2, 3, 4)
	default:
		body = append(binary.BigEndian.AppendUint32(nil, 10), "SCRAM-SHA-256\x00\x00"...)
	}
	msg := []byte{'R'}
	msg = binary.BigEndian.AppendUint32(msg, uint32(4+len(body)))
	return append(msg, body...)
}
