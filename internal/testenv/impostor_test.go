package testenv

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"net"
	"slices"
	"testing"
	"time"
)

// TestImpostorRecordsAPassword plays a client that trusts the impostor's CA
// and answers its cleartext request, with the protocol written out: the
// impostor must see the password, and say it received a password message.
func TestImpostorRecordsAPassword(t *testing.T) {
	ca := MustCA(t, "impostor test CA")
	im := NewImpostor(t, ca.ServerCert(t, "127.0.0.1"), AuthCleartext)
	c, err := net.DialTimeout("tcp", im.Addr.String(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	ssl := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, 8), sslRequestCode)
	if _, err := c.Write(ssl); err != nil {
		t.Fatalf("write SSLRequest: %v", err)
	}
	var s [1]byte
	if _, err := io.ReadFull(c, s[:]); err != nil || s[0] != 'S' {
		t.Fatalf("SSLRequest answer: %q, %v; want 'S'", s[:], err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca.PEM)
	tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12})
	startup := append(binary.BigEndian.AppendUint32(nil, 196608), "user\x00app\x00\x00"...)
	if _, err := tc.Write(append(binary.BigEndian.AppendUint32(nil, uint32(4+len(startup))), startup...)); err != nil {
		t.Fatalf("write startup: %v", err)
	}
	var auth [9]byte
	if _, err := io.ReadFull(tc, auth[:]); err != nil || auth[0] != 'R' || binary.BigEndian.Uint32(auth[5:]) != 3 {
		t.Fatalf("auth request: %v, %v; want AuthenticationCleartextPassword", auth, err)
	}
	const pw = "pw-recorded-by-the-impostor"
	body := append([]byte(pw), 0)
	if _, err := tc.Write(append(binary.BigEndian.AppendUint32([]byte{'p'}, uint32(4+len(body))), body...)); err != nil {
		t.Fatalf("write password: %v", err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !im.Received(pw)[0] && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if !im.Received(pw)[0] {
		t.Fatalf("the impostor did not record the password")
	}
	for !slices.Contains(im.Messages(), "Password") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := im.Messages(); !slices.Equal(got, []string{"StartupMessage", "Password"}) {
		t.Errorf("messages %v, want [StartupMessage Password]", got)
	}
	if im.Accepts() != 1 {
		t.Errorf("accepts %d, want 1", im.Accepts())
	}
}
