package postgres

import (
	"fmt"

	"github.com/acme/secrets-platform/rotator/password"
)

// rdsRefused are the characters RDS refuses in a password, excluded whatever
// the shape says; stack config refuses a database shape that allows them.
const rdsRefused = "/@\" "

// parts are what both strategies are made of.
type parts struct {
	conn      connector
	passwords *password.Generator
	secrets   secretReader
	grants    []string
	schema    split
}

// newParts validates cfg once for both strategies.
func newParts(cfg Config, sm SecretGetter) (parts, error) {
	gen, err := password.New(cfg.Password, rdsRefused)
	if err != nil {
		return parts{}, err
	}
	for _, g := range cfg.Logins.Grants {
		if len(g) > maxIdentifierBytes {
			return parts{}, fmt.Errorf("grant role %q is longer than %d bytes", g, maxIdentifierBytes)
		}
	}
	for _, r := range []string{cfg.Logins.Schema.Owner, cfg.Logins.Schema.User} {
		if len(r+cloneSuffix) > maxIdentifierBytes {
			return parts{}, fmt.Errorf("schema role %q is longer than %d bytes with its %s", r, maxIdentifierBytes-len(cloneSuffix), cloneSuffix)
		}
	}
	if s := cfg.Logins.Schema; s.Set() && (s.Owner == "" || s.User == "" || s.Owner == s.User) {
		return parts{}, fmt.Errorf("schema split %q/%q: want two different roles", s.Owner, s.User)
	}
	conn, err := newConnector(cfg)
	if err != nil {
		return parts{}, err
	}
	return parts{
		conn:      conn,
		passwords: gen,
		secrets:   secretReader{sm: sm},
		grants:    cfg.Logins.Grants,
		schema:    split{cfg.Logins.Schema},
	}, nil
}

// NewSingleUser builds the single-user strategy; sm reads the master secret
// and, on a rare path, AWSPREVIOUS (a *secretsmanager.Client satisfies it).
func NewSingleUser(cfg Config, sm SecretGetter) (*SingleUser, error) {
	p, err := newParts(cfg, sm)
	if err != nil {
		return nil, fmt.Errorf("new postgres-single-user strategy: %w", err)
	}
	return &SingleUser{p}, nil
}

// NewAlternatingUsers builds the alternating-users strategy; sm reads the
// master secret.
func NewAlternatingUsers(cfg Config, sm SecretGetter) (*AlternatingUsers, error) {
	p, err := newParts(cfg, sm)
	if err != nil {
		return nil, fmt.Errorf("new postgres-alternating-users strategy: %w", err)
	}
	return &AlternatingUsers{p}, nil
}
