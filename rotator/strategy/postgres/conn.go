package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/acme/secrets-platform/rotator/contract"
)

// connectTimeout bounds one login, TLS handshake and SCRAM included. A
// Lambda has 30 s or so; several logins may be tried in one step.
const connectTimeout = 5 * time.Second

// Config is what both strategies need besides the secret itself.
type Config struct {
	// Password shapes generated passwords; / @ " and space are excluded
	// whatever it says, since RDS refuses them.
	Password contract.PasswordShape
	// Logins says what a login role that the master creates is granted.
	// CONNECT on the secret's database is granted in every case.
	Logins contract.Logins
	// RootCertFile is the PEM bundle that verifies the server (sslmode
	// verify-full). Empty means sslmode=require: encrypted, not verified.
	// Only a test build of the rotator sets it (contract.TestSettings).
	RootCertFile string
	// DialFunc opens the TCP connection of each login; nil means net.Dialer.
	// Tests count connections with it.
	DialFunc pgconn.DialFunc
}

// connector opens TLS connections to the server a secret names.
type connector struct {
	rootCertFile string
	timeout      time.Duration
	dial         pgconn.DialFunc
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

// connect logs in. The password is set on the parsed config, never written
// into the connection string, so no parse or connect error can quote it; the
// error is scrubbed all the same in case a driver version starts echoing it.
func (c connector) connect(ctx context.Context, l login) (*pgx.Conn, error) {
	sslmode := "require"
	if c.rootCertFile != "" {
		sslmode = "verify-full"
	}
	var b strings.Builder
	for _, kv := range [][2]string{
		{"host", l.host}, {"port", strconv.Itoa(l.port)}, {"dbname", l.database}, {"user", l.user},
		{"sslmode", sslmode}, {"sslrootcert", c.rootCertFile},
		{"application_name", "secrets-rotation"},
	} {
		if kv[1] == "" {
			continue
		}
		b.WriteString(kv[0] + "=" + quoteConnValue(kv[1]) + " ")
	}
	cfg, err := pgx.ParseConfig(b.String())
	if err != nil {
		return nil, scrub(fmt.Errorf("parse connection settings: %w", err), l.password)
	}
	// ParseConfig also reads PG* variables; make sure none of them turned TLS
	// off or added a plain-text fall-back.
	if cfg.TLSConfig == nil || len(cfg.Fallbacks) != 0 {
		return nil, errors.New("parse connection settings: TLS is not enforced")
	}
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
