package postgres

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/acme/secrets-platform/rotator/engine"
)

// defaultPort is PostgreSQL's port, used when a secret leaves "port" out, as
// AWS's rotation templates do.
const defaultPort = 5432

// defaultDatabase is used when a secret leaves "dbname" out, as AWS's
// templates do.
const defaultDatabase = "postgres"

// credentials is what a strategy needs from one version of the secret. The
// original JSON is kept so that Create can copy every field it does not own
// (dbInstanceIdentifier, proxy settings, ...) unchanged.
type credentials struct {
	Host      string
	Port      int
	Username  string
	Password  string
	DBName    string
	MasterARN string

	raw map[string]json.RawMessage
}

// secretJSON is the RDS secret shape. Port is raw because RDS and people
// write it both as a number and as a string.
type secretJSON struct {
	Engine    string          `json:"engine"`
	Host      string          `json:"host"`
	Port      json.RawMessage `json:"port"`
	Username  string          `json:"username"`
	Password  string          `json:"password"`
	DBName    string          `json:"dbname"`
	MasterARN string          `json:"masterarn"`
}

// parseCredentials reads and validates one secret value. Its errors name the
// offending field, never a value: the input holds a password.
func parseCredentials(value []byte) (credentials, error) {
	return parse(value, true)
}

// currentOf reads the AWSCURRENT version. The program's placeholder (decision
// D3) has every field of the RDS shape but the password, which the first
// rotation makes.
func currentOf(v engine.Version) (credentials, error) {
	c, err := parse(v.Value, !v.Placeholder)
	if err != nil {
		return credentials{}, fmt.Errorf("read current version: %w", err)
	}
	return c, nil
}

// parse is parseCredentials, with the password optional for a placeholder.
func parse(value []byte, withPassword bool) (credentials, error) {
	var s secretJSON
	if err := json.Unmarshal(value, &s); err != nil {
		// json errors can quote input bytes; keep only the kind of failure.
		return credentials{}, errors.New("parse secret value: not a JSON object of the RDS shape")
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(value, &raw); err != nil {
		return credentials{}, errors.New("parse secret value: not a JSON object")
	}
	if s.Engine != "postgres" {
		return credentials{}, fmt.Errorf("parse secret value: engine is %q, want \"postgres\"", s.Engine)
	}
	for _, f := range []struct{ name, v string }{{"host", s.Host}, {"username", s.Username}, {"password", s.Password}} {
		if f.v == "" && (withPassword || f.name != "password") {
			return credentials{}, fmt.Errorf("parse secret value: %s is missing", f.name)
		}
	}
	port, err := parsePort(s.Port)
	if err != nil {
		return credentials{}, fmt.Errorf("parse secret value: %w", err)
	}
	if s.DBName == "" {
		s.DBName = defaultDatabase
	}
	return credentials{
		Host: s.Host, Port: port, Username: s.Username, Password: s.Password,
		DBName: s.DBName, MasterARN: s.MasterARN, raw: raw,
	}, nil
}

// parsePort accepts 5432, "5432" or nothing.
func parsePort(raw json.RawMessage) (int, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return defaultPort, nil
	}
	text := string(raw)
	if raw[0] == '"' {
		if err := json.Unmarshal(raw, &text); err != nil {
			return 0, errors.New("port is not a number")
		}
	}
	port, err := strconv.Atoi(text)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("port %q is not a TCP port", text)
	}
	return port, nil
}

// withLogin returns the secret's JSON with username and password replaced and
// every other field kept as it was.
func (c credentials) withLogin(username, password string) ([]byte, error) {
	out := make(map[string]json.RawMessage, len(c.raw))
	for k, v := range c.raw {
		out[k] = v
	}
	for k, v := range map[string]string{"username": username, "password": password} {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", k, err)
		}
		out[k] = b
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, fmt.Errorf("encode secret value: %w", err)
	}
	return b, nil
}

// sameServer reports whether two versions point at the same role on the same
// server. Single-user rotation must never set one role's password while logged
// in as another, nor carry a password to another host.
func (c credentials) sameServer(o credentials) bool {
	return c.Host == o.Host && c.Port == o.Port && c.Username == o.Username
}

// masterCredentials is the master secret: an RDS-managed master secret holds
// only username and password; the server comes from the user's secret. A
// master secret that does name a server must name the pinned one.
type masterCredentials struct {
	Username string          `json:"username"`
	Password string          `json:"password"`
	Host     string          `json:"host"`
	Port     json.RawMessage `json:"port"`
}

// parseMaster reads a master secret without ever quoting its content.
func parseMaster(value []byte) (masterCredentials, error) {
	var m masterCredentials
	if err := json.Unmarshal(value, &m); err != nil {
		return masterCredentials{}, errors.New("parse master secret: not a JSON object with username and password")
	}
	if m.Username == "" || m.Password == "" {
		return masterCredentials{}, errors.New("parse master secret: username or password is missing")
	}
	return m, nil
}
