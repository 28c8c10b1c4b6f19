package pgsecret

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Secret is the JSON shape of an RDS database secret, as the Secrets Manager
// console and the RDS rotation templates write it.
type Secret struct {
	Engine   string `json:"engine"`
	Host     string `json:"host"`
	Port     Port   `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	DBName   string `json:"dbname"`
	SSL      bool   `json:"ssl"`
	// MasterARN names the secret of the user that rotates this one in the
	// alternating-users strategy; the connector does not use it.
	MasterARN string `json:"masterarn,omitempty"`
}

// String describes the secret without its password, so that a secret that
// ends up in a log line or a %v leaks nothing.
func (s Secret) String() string {
	return fmt.Sprintf("postgres://%s@%s/%s", s.Username, net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port))), s.DBName)
}

// GoString is String for %#v.
func (s Secret) GoString() string { return "pgsecret.Secret(" + s.String() + ")" }

// Port is a TCP port that the secret may hold as a JSON number or string.
type Port int

// UnmarshalJSON accepts 5432 and "5432".
func (p *Port) UnmarshalJSON(b []byte) error {
	b = bytes.Trim(b, `"`)
	n, err := strconv.ParseUint(string(b), 10, 16)
	if err != nil {
		return errors.New("port is not a number in 1..65535")
	}
	*p = Port(n)
	return nil
}

// ErrInvalidSecret is returned for a secret that does not parse or lacks a
// field; the message never quotes the secret.
var ErrInvalidSecret = errors.New("invalid RDS secret")

// Parse decodes and checks an RDS secret. A missing port means 5432 and a
// missing dbname means postgres, as on RDS.
func Parse(raw []byte) (Secret, error) {
	var s Secret
	if err := json.Unmarshal(raw, &s); err != nil {
		// encoding/json quotes the input it chokes on; that input is the secret.
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			return Secret{}, fmt.Errorf("%w: JSON syntax error at offset %d", ErrInvalidSecret, syn.Offset)
		}
		return Secret{}, fmt.Errorf("%w: a field has the wrong JSON type", ErrInvalidSecret)
	}
	return s, s.check()
}

// check fills RDS defaults and rejects a secret that cannot connect.
func (s *Secret) check() error {
	if s.Port == 0 {
		s.Port = 5432
	}
	if s.DBName == "" {
		s.DBName = "postgres"
	}
	switch {
	case s.Engine != "" && s.Engine != "postgres" && s.Engine != "aurora-postgresql":
		return fmt.Errorf("%w: engine %q is not postgres", ErrInvalidSecret, s.Engine)
	case s.Host == "" || s.Username == "" || s.Password == "":
		return fmt.Errorf("%w: host, username and password are required", ErrInvalidSecret)
	}
	return nil
}

// Endpoint is the database server the caller expects, from its own
// configuration (the platform's databaseHost output), never from the
// secret: whoever can write a secret must not choose where the application
// sends its password. A secret that names another server is refused before
// any connection.
type Endpoint struct {
	// Host is the server's host name or address. Required.
	Host string
	// Port is its TCP port; zero means 5432.
	Port int
}

// ErrUnexpectedServer is returned for a secret that names another server
// than the caller's Endpoint.
var ErrUnexpectedServer = errors.New("the secret names another database server than the one expected")

// check refuses a secret that names another server than e.
func (e Endpoint) check(s Secret) error {
	port := e.Port
	if port == 0 {
		port = 5432
	}
	if e.Host == "" {
		return errors.New("expected database server: Endpoint.Host is required")
	}
	if int(s.Port) != port || !strings.EqualFold(strings.TrimSuffix(s.Host, "."), strings.TrimSuffix(e.Host, ".")) {
		return fmt.Errorf("secret names %s, want %s: %w", net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port))),
			net.JoinHostPort(e.Host, strconv.Itoa(port)), ErrUnexpectedServer)
	}
	return nil
}

// scramOnly is the only authentication a verified connection accepts: a
// server that asks for a cleartext or MD5 password gets none.
const scramOnly = "scram-sha-256"

// TLS says how to verify the database server.
type TLS struct {
	// CAFile is the path of a PEM CA bundle (the RDS one); URL needs it.
	CAFile string
	// CAPEM is the bundle itself; it wins over CAFile for Go configs.
	CAPEM []byte
	// AllowPlaintext permits an unencrypted connection, and only for a
	// secret whose "ssl" is false. It exists for local development, and
	// such a connection accepts any authentication the server asks for;
	// every other one is SCRAM-SHA-256 only.
	AllowPlaintext bool
}

// plaintext reports whether this secret may connect without TLS.
func (t TLS) plaintext(s Secret) bool { return t.AllowPlaintext && !s.SSL }

// config builds the Go TLS config: verify-full, i.e. the chain against the
// CA and the certificate against the secret's host.
func (t TLS) config(host string) (*tls.Config, error) {
	pem := t.CAPEM
	if len(pem) == 0 {
		if t.CAFile == "" {
			return nil, errors.New("no CA: set TLS.CAFile or TLS.CAPEM to the RDS CA bundle")
		}
		b, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
		pem = b
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, errors.New("CA bundle holds no PEM certificate")
	}
	return &tls.Config{RootCAs: pool, ServerName: host, MinVersion: tls.VersionTLS12}, nil
}

// URL returns a libpq URL for the secret, with every part escaped, so that
// passwords with any character work: sslmode=verify-full, sslrootcert set to
// t.CAFile (a URL cannot carry CAPEM) and require_auth=scram-sha-256. A
// secret that names another server than e is refused.
func (s Secret) URL(e Endpoint, t TLS) (string, error) {
	if err := e.check(s); err != nil {
		return "", fmt.Errorf("build database URL: %w", err)
	}
	q := url.Values{}
	if t.plaintext(s) {
		q.Set("sslmode", "disable")
	} else {
		if t.CAFile == "" {
			return "", errors.New("build database URL: verify-full needs TLS.CAFile")
		}
		q.Set("sslmode", "verify-full")
		q.Set("sslrootcert", t.CAFile)
		q.Set("require_auth", scramOnly)
	}
	return s.url(q), nil
}

func (s Secret) url(q url.Values) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(s.Username, s.Password),
		Host:     net.JoinHostPort(s.Host, strconv.Itoa(int(s.Port))),
		Path:     "/" + s.DBName,
		RawQuery: libpqQuery(q),
	}
	return u.String()
}

// libpqQuery encodes q with %20 for a space: libpq and pgx read a '+' in a
// URL's query literally, so url.Values.Encode would corrupt a path such as
// an sslrootcert with a space.
func libpqQuery(q url.Values) string {
	return strings.ReplaceAll(q.Encode(), "+", "%20")
}

// ConnConfig returns a pgx config for the secret, which must name the
// server e. The TLS config is built here rather than from sslmode so that
// CAPEM works without a file and so that no fallback (sslmode=prefer's
// plaintext retry) can exist.
func (s Secret) ConnConfig(e Endpoint, t TLS) (*pgx.ConnConfig, error) {
	if err := e.check(s); err != nil {
		return nil, err
	}
	// sslmode=disable only stops ParseConfig from building its own TLS
	// config and fallbacks, and the empty sslrootcert from reading a
	// PGSSLROOTCERT; TLSConfig is set just below.
	cfg, err := pgx.ParseConfig(s.url(url.Values{"sslmode": {"disable"}, "sslrootcert": {""}}))
	if err != nil {
		// pgx's parse errors can quote the connection string; drop them.
		return nil, fmt.Errorf("%w: host, port or dbname do not form a connection string", ErrInvalidSecret)
	}
	if err := t.apply(s, &cfg.Config); err != nil {
		return nil, err
	}
	return cfg, nil
}

// apply sets what decides where the password goes and how: the TLS config
// this secret must use, no fallback, and SCRAM only on a verified
// connection.
func (t TLS) apply(s Secret, dst *pgconn.Config) error {
	dst.Fallbacks = nil
	if t.plaintext(s) {
		dst.TLSConfig = nil
		return nil
	}
	c, err := t.config(s.Host)
	if err != nil {
		return fmt.Errorf("tls config for %s: %w", s.Host, err)
	}
	dst.TLSConfig = c
	dst.SSLNegotiation = "postgres"
	dst.RequireAuth = scramOnly
	return nil
}
