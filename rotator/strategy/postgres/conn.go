package postgres

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/strategy/postgres/rdsca"
)

// connectTimeout bounds one login, TLS handshake and SCRAM included. A
// Lambda has 30 s or so; several logins may be tried in one step.
const connectTimeout = 5 * time.Second

// Config is what both strategies need besides the secret itself.
type Config struct {
	// Password shapes generated passwords; / @ " and space are excluded
	// whatever it says, since RDS refuses them.
	Password contract.PasswordShape
	// Logins says what a login role that the master creates is granted, and
	// pins the database (Host and Port, both required): a secret that names
	// another server is refused before any connection. CONNECT on the
	// secret's database is granted in every case.
	Logins contract.Logins
	// RootCertFile replaces the embedded RDS certificate authorities
	// (package rdsca) with a PEM bundle. Only a test build of the rotator
	// sets it (contract.TestSettings); empty means the RDS bundle.
	RootCertFile string
	// DialFunc opens the TCP connection of each login; nil means net.Dialer.
	// Tests count connections with it.
	DialFunc pgconn.DialFunc
}

// ErrUnpinnedServer means a secret names another server than the one the
// program pinned the rotator to (contract.Logins Host and Port). Whoever can
// write a secret must not choose where the rotator sends a credential
// (SECURITY-RULES 19), so no connection is opened.
var ErrUnpinnedServer = errors.New("the secret names another database server than the one the rotator is pinned to")

// requireAuth is the only authentication the rotator accepts: a server that
// asks for a cleartext or MD5 password gets none.
const requireAuth = "scram-sha-256"

// connector opens TLS connections, verified against the RDS certificate
// authorities and the pinned host name, to the one server it is pinned to.
type connector struct {
	host    string
	port    int
	roots   *x509.CertPool
	timeout time.Duration
	dial    pgconn.DialFunc
}

// newConnector checks the pinned server and loads the authorities.
func newConnector(cfg Config) (connector, error) {
	host, port := cfg.Logins.Host, cfg.Logins.Port
	if host == "" || port < 1 || port > 65535 {
		return connector{}, fmt.Errorf("database server %q port %d: the program pins a host and a TCP port", host, port)
	}
	roots, err := rdsca.Pool()
	if cfg.RootCertFile != "" {
		roots, err = poolFromFile(cfg.RootCertFile)
	}
	if err != nil {
		return connector{}, err
	}
	return connector{host: host, port: port, roots: roots, timeout: connectTimeout, dial: cfg.DialFunc}, nil
}

// poolFromFile reads a PEM bundle.
func poolFromFile(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read root certificates: %w", err)
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("read root certificates %s: no PEM certificate", path)
	}
	return p, nil
}

// login is one set of credentials to log in with: the server from the user's
// secret, possibly with the master's username and password.
type login struct {
	host     string
	port     int
	database string
	user     string
	password string
}

func loginOf(c credentials) login {
	return login{host: c.Host, port: c.Port, database: c.DBName, user: c.Username, password: c.Password}
}

// pinned reports whether host and port are the server the rotator may reach.
func (c connector) pinned(host string, port int) bool {
	return port == c.port && strings.EqualFold(strings.TrimSuffix(host, "."), strings.TrimSuffix(c.host, "."))
}

// check refuses credentials that name another server than the pinned one.
func (c connector) check(cr credentials) error {
	if c.pinned(cr.Host, cr.Port) {
		return nil
	}
	return fmt.Errorf("secret names %s: %w (%s)", net.JoinHostPort(cr.Host, strconv.Itoa(cr.Port)), ErrUnpinnedServer,
		net.JoinHostPort(c.host, strconv.Itoa(c.port)))
}

// connect logs in to the pinned server, with TLS verified (the chain against
// the RDS authorities, the certificate against the pinned host) and SCRAM
// only, with no fall-back. A login that names another server is refused
// before any dial. The password is set on the parsed config, never written
// into the connection string, so no parse or connect error can quote it;
// the error is scrubbed all the same in case a driver version starts
// echoing it.
func (c connector) connect(ctx context.Context, l login) (*pgx.Conn, error) {
	if !c.pinned(l.host, l.port) {
		return nil, fmt.Errorf("log in as %s to %s: %w (%s)", l.user,
			net.JoinHostPort(l.host, strconv.Itoa(l.port)), ErrUnpinnedServer, net.JoinHostPort(c.host, strconv.Itoa(c.port)))
	}
	var b strings.Builder
	for _, kv := range [][2]string{
		{"host", c.host}, {"port", strconv.Itoa(c.port)}, {"dbname", l.database}, {"user", l.user},
		// The TLS config is set below, so that nothing read from the
		// environment or a file can weaken it; disable only keeps ParseConfig
		// from building one of its own and a plain-text fall-back, and the
		// empty file names keep it from reading a PGSSLROOTCERT or client
		// certificate.
		{"sslmode", "disable"}, {"sslrootcert", ""}, {"sslcert", ""}, {"sslkey", ""},
		{"application_name", "secrets-rotation"},
	} {
		if kv[1] == "" && kv[0] != "sslrootcert" && kv[0] != "sslcert" && kv[0] != "sslkey" {
			continue
		}
		b.WriteString(kv[0] + "=" + quoteConnValue(kv[1]) + " ")
	}
	cfg, err := pgx.ParseConfig(b.String())
	if err != nil {
		return nil, scrub(fmt.Errorf("parse connection settings: %w", err), l.password)
	}
	// ParseConfig also reads PG* variables; what decides where the password
	// goes and how it is checked is set here, whatever they said.
	cfg.Host, cfg.Port = c.host, uint16(c.port)
	cfg.Fallbacks = nil
	cfg.TLSConfig = &tls.Config{RootCAs: c.roots, ServerName: c.host, MinVersion: tls.VersionTLS12}
	cfg.SSLNegotiation = "postgres"
	cfg.RequireAuth = requireAuth
	cfg.Password = l.password
	cfg.ConnectTimeout = c.timeout
	if c.dial != nil {
		cfg.DialFunc = c.dial
	}
	// One round trip per statement: nothing is worth preparing in a rotation.
	cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, scrub(fmt.Errorf("log in as %s: %w", l.user, err), l.password)
	}
	return conn, nil
}

// quoteConnValue quotes a keyword/value connection-string value so that a
// host or user name from a secret cannot inject another setting.
func quoteConnValue(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	v = strings.ReplaceAll(v, `'`, `\'`)
	return "'" + v + "'"
}

// closeQuietly ends a session; a failed Terminate changes nothing for the
// rotation, the server drops the session anyway.
func closeQuietly(conn *pgx.Conn) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = conn.Close(ctx)
}

// isAuthFailure reports whether err is the server refusing the credentials:
// invalid_password (28P01) or invalid_authorization_specification (28000, a
// missing role under some pg_hba methods). Only these justify trying other
// credentials; a network or TLS failure would fail the same way again.
func isAuthFailure(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "28P01" || pgErr.Code == "28000")
}

// scrubbedError replaces secrets in an error's text while keeping the chain for
// errors.As (isAuthFailure needs the PgError).
type scrubbedError struct {
	msg string
	err error
}

func (e *scrubbedError) Error() string { return e.msg }
func (e *scrubbedError) Unwrap() error { return e.err }

// scrub returns err with every occurrence of the given secrets masked in its
// message.
func scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	for _, s := range secrets {
		if s != "" {
			msg = strings.ReplaceAll(msg, s, "[redacted]")
		}
	}
	return &scrubbedError{msg: msg, err: err}
}
