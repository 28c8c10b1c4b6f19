package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/acme/secrets-platform/rotator/engine"
)

// The rotator's main selects strategies by their constructor.
var (
	_ engine.Constructor = SingleUserFromEnv
	_ engine.Constructor = AlternatingUsersFromEnv
)

// SingleUserFromEnv is the engine.Constructor of postgres-single-user.
func SingleUserFromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	cfg, err := ConfigFromEnv(d.Getenv)
	if err != nil {
		return nil, err
	}
	return NewSingleUser(cfg, secretsClient(d))
}

// AlternatingUsersFromEnv is the engine.Constructor of
// postgres-alternating-users.
func AlternatingUsersFromEnv(_ context.Context, d engine.Deps) (engine.Strategy, error) {
	cfg, err := ConfigFromEnv(d.Getenv)
	if err != nil {
		return nil, err
	}
	return NewAlternatingUsers(cfg, secretsClient(d))
}

// secretsClient keeps a nil *secretsmanager.Client from becoming a non-nil
// interface that would panic on first use instead of failing with an error.
func secretsClient(d engine.Deps) SecretGetter {
	if d.SecretsManager == nil {
		return nil
	}
	return d.SecretsManager
}

// ConfigFromEnv reads DB_SSL_ROOT_CERT, DB_GRANTS, DB_CONNECT_TIMEOUT,
// PASSWORD_LENGTH and EXCLUDE_CHARACTERS.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		return Config{}, fmt.Errorf("read postgres settings: no Getenv")
	}
	cfg := Config{
		RootCertFile:      strings.TrimSpace(getenv("DB_SSL_ROOT_CERT")),
		ExcludeCharacters: getenv("EXCLUDE_CHARACTERS"),
	}
	for _, g := range strings.Split(getenv("DB_GRANTS"), ",") {
		if g = strings.TrimSpace(g); g != "" {
			cfg.Grants = append(cfg.Grants, g)
		}
	}
	if v := getenv("DB_CONNECT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return Config{}, fmt.Errorf("read DB_CONNECT_TIMEOUT %q: want a positive Go duration such as 5s", v)
		}
		cfg.ConnectTimeout = d
	}
	if v := getenv("PASSWORD_LENGTH"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return Config{}, fmt.Errorf("read PASSWORD_LENGTH %q: %w", v, err)
		}
		cfg.PasswordLength = n
	}
	return cfg, nil
}

// sharedParts validates cfg once for both strategies.
func sharedParts(cfg Config, sm SecretGetter) (connector, passwordGenerator, secretReader, error) {
	length := cfg.PasswordLength
	if length == 0 {
		length = defaultPasswordLength
	}
	gen, err := newPasswordGenerator(length, cfg.ExcludeCharacters)
	if err != nil {
		return connector{}, passwordGenerator{}, secretReader{}, fmt.Errorf("configure passwords: %w", err)
	}
	timeout := cfg.ConnectTimeout
	if timeout == 0 {
		timeout = defaultConnectTimeout
	}
	for _, g := range cfg.Grants {
		if len(g) > maxIdentifierBytes {
			return connector{}, passwordGenerator{}, secretReader{}, fmt.Errorf("configure grants: role %q is longer than %d bytes", g, maxIdentifierBytes)
		}
	}
	cn := connector{rootCertFile: cfg.RootCertFile, timeout: timeout, dial: cfg.DialFunc}
	return cn, gen, secretReader{sm: sm}, nil
}

// NewSingleUser builds the single-user strategy; sm reads the master secret
// and, on a rare path, AWSPREVIOUS (a *secretsmanager.Client satisfies it).
func NewSingleUser(cfg Config, sm SecretGetter) (*SingleUser, error) {
	cn, gen, rd, err := sharedParts(cfg, sm)
	if err != nil {
		return nil, err
	}
	return &SingleUser{conn: cn, passwords: gen, secrets: rd, grants: cfg.Grants}, nil
}

// NewAlternatingUsers builds the alternating-users strategy; sm reads the
// master secret.
func NewAlternatingUsers(cfg Config, sm SecretGetter) (*AlternatingUsers, error) {
	cn, gen, rd, err := sharedParts(cfg, sm)
	if err != nil {
		return nil, err
	}
	return &AlternatingUsers{conn: cn, passwords: gen, secrets: rd, grants: cfg.Grants}, nil
}
