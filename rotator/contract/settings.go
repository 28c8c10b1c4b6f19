package contract

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The environment variables of a rotation function. Each is written by
// Settings.Env and read by FromEnv only.
const (
	// EnvStrategy selects the strategy; every function has it.
	EnvStrategy = "ROTATION_STRATEGY"
	// EnvPasswordLength and EnvPasswordExclude shape generated passwords
	// (random and postgres strategies).
	EnvPasswordLength  = "PASSWORD_LENGTH"
	EnvPasswordExclude = "PASSWORD_EXCLUDE_CHARACTERS"
	// EnvKeyringMaxKeys bounds a key ring; EnvKeyringRetire lists key ids to
	// drop at the next rotation, after their data was re-encrypted.
	EnvKeyringMaxKeys = "KEYRING_MAX_KEYS"
	EnvKeyringRetire  = "KEYRING_RETIRE_KEYS"
	// EnvKeyAPIBaseURL is the http strategy's key-management API.
	EnvKeyAPIBaseURL = "KEY_API_BASE_URL"
	// EnvAdminSecretARN is the secret holding the provider credential that
	// may manage keys (http, twilio).
	EnvAdminSecretARN = "ADMIN_SECRET_ARN"
	// EnvGracePeriod is how long a replaced key stays valid (http, twilio).
	EnvGracePeriod = "GRACE_PERIOD"
	// EnvDBGrants are the roles granted to login roles the postgres
	// strategies create.
	EnvDBGrants = "DB_GRANTS"
	// EnvDBHost and EnvDBPort are the database instance the postgres
	// strategies may connect to; a secret naming another is refused.
	EnvDBHost = "DB_HOST"
	EnvDBPort = "DB_PORT"
	// EnvDBSchemaOwner and EnvDBSchemaUser split the application schema
	// between the migration login, which owns what is created in it, and the
	// application login, which reads and writes that and creates nothing
	// (Logins.Schema).
	EnvDBSchemaOwner = "DB_SCHEMA_OWNER"
	EnvDBSchemaUser  = "DB_SCHEMA_USER"
	// EnvSecretsManagerEndpoint is the AWS SDK's own variable for the
	// Secrets Manager endpoint; the SDK reads it, the program writes it here
	// (and FromEnv checks it) so no other code spells it.
	EnvSecretsManagerEndpoint = "AWS_ENDPOINT_URL_SECRETS_MANAGER"
)

// Settings is everything one rotation function reads from its environment.
// Only the fields of its Strategy may be set.
type Settings struct {
	// Strategy is required.
	Strategy Strategy
	// Password shapes generated passwords: random, postgres-*.
	Password PasswordShape
	// Keyring bounds and prunes a key ring: keyring.
	Keyring Ring
	// KeyAPI reaches a third-party key API: http (BaseURL, AdminSecretARN,
	// Grace), twilio (AdminSecretARN, Grace).
	KeyAPI KeyAPI
	// Database says what login roles get: postgres-*.
	Database Logins
	// SecretsManagerEndpoint is the https URL of the Secrets Manager VPC
	// endpoint the function must use because the default host name does not
	// reach it (an endpoint without private DNS in a shared VPC); "" for the
	// default. Any strategy may have it.
	SecretsManagerEndpoint string
}

// PasswordShape shapes generated passwords. Zero values mean the strategy's default.
type PasswordShape struct {
	Length            int
	ExcludeCharacters string
}

// Ring bounds a key ring. Zero MaxKeys means the strategy's default.
type Ring struct {
	MaxKeys int
	// Retire are key ids to drop at the next rotation.
	Retire []string
}

// KeyAPI reaches a third-party key-management API.
type KeyAPI struct {
	// BaseURL is the http strategy's API (https).
	BaseURL string
	// AdminSecretARN holds the credential that may create and revoke keys.
	AdminSecretARN string
	// Grace is how long a replaced key stays valid; zero means the default.
	Grace time.Duration
}

// Logins is the database the postgres strategies reach and what they grant
// the login roles they create.
type Logins struct {
	// Grants are granted to every login role the rotator creates.
	Grants []string
	// Host and Port are the database instance's address and port, which the
	// program pins; required. A secret value never chooses where the
	// rotator sends a credential (SECURITY-RULES 19).
	Host string
	Port int
	// Schema splits the application schema between two login roles; zero
	// when the stack has no migration login.
	Schema SchemaLogins
}

// SchemaLogins are the two login roles (base names, without the alternating
// clone's suffix) that share the public schema of the database: Owner, the
// migration login, owns every object created in it and its clone creates
// as Owner; User, the application login, reads and writes Owner's tables
// and sequences through default privileges and creates nothing. Both
// rotators of the stack get both names, so whichever creates its role
// second links them, and each refuses a secret that names another role.
type SchemaLogins struct {
	Owner string
	User  string
}

// Set reports whether the schema is split.
func (s SchemaLogins) Set() bool { return s != (SchemaLogins{}) }

// Env is the function's environment for these settings. It refuses settings
// that belong to another strategy or lack what the strategy requires, so the
// program cannot deploy a function the runtime would refuse at start.
func (s Settings) Env() (map[string]string, error) {
	if err := s.validate(); err != nil {
		return nil, err
	}
	env := map[string]string{EnvStrategy: string(s.Strategy)}
	put := func(k, v string) {
		if v != "" {
			env[k] = v
		}
	}
	if s.Password.Length != 0 {
		put(EnvPasswordLength, strconv.Itoa(s.Password.Length))
	}
	put(EnvPasswordExclude, s.Password.ExcludeCharacters)
	if s.Keyring.MaxKeys != 0 {
		put(EnvKeyringMaxKeys, strconv.Itoa(s.Keyring.MaxKeys))
	}
	put(EnvKeyringRetire, strings.Join(s.Keyring.Retire, ","))
	put(EnvKeyAPIBaseURL, s.KeyAPI.BaseURL)
	put(EnvAdminSecretARN, s.KeyAPI.AdminSecretARN)
	if s.KeyAPI.Grace != 0 {
		put(EnvGracePeriod, s.KeyAPI.Grace.String())
	}
	put(EnvDBGrants, strings.Join(s.Database.Grants, ","))
	put(EnvDBHost, s.Database.Host)
	if s.Database.Port != 0 {
		put(EnvDBPort, strconv.Itoa(s.Database.Port))
	}
	put(EnvDBSchemaOwner, s.Database.Schema.Owner)
	put(EnvDBSchemaUser, s.Database.Schema.User)
	put(EnvSecretsManagerEndpoint, s.SecretsManagerEndpoint)
	return env, nil
}

// FromEnv reads a function's settings through getenv (os.Getenv in the
// Lambda) and checks them as Env does.
func FromEnv(getenv func(string) string) (Settings, error) {
	s := Settings{Strategy: Strategy(getenv(EnvStrategy))}
	var errs []error
	atoi := func(k string) int {
		v := getenv(k)
		if v == "" {
			return 0
		}
		n, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s %q: want a whole number", k, v))
		}
		return n
	}
	s.Password = PasswordShape{Length: atoi(EnvPasswordLength), ExcludeCharacters: getenv(EnvPasswordExclude)}
	s.Keyring = Ring{MaxKeys: atoi(EnvKeyringMaxKeys), Retire: list(getenv(EnvKeyringRetire))}
	s.KeyAPI = KeyAPI{BaseURL: getenv(EnvKeyAPIBaseURL), AdminSecretARN: getenv(EnvAdminSecretARN)}
	if v := getenv(EnvGracePeriod); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("read %s %q: want a Go duration such as 1h", EnvGracePeriod, v))
		}
		s.KeyAPI.Grace = d
	}
	s.Database = Logins{Grants: list(getenv(EnvDBGrants)), Host: getenv(EnvDBHost), Port: atoi(EnvDBPort),
		Schema: SchemaLogins{Owner: getenv(EnvDBSchemaOwner), User: getenv(EnvDBSchemaUser)}}
	s.SecretsManagerEndpoint = getenv(EnvSecretsManagerEndpoint)
	if err := errors.Join(errs...); err != nil {
		return Settings{}, err
	}
	if err := s.validate(); err != nil {
		return Settings{}, err
	}
	return s, nil
}

// validate checks that only the strategy's own fields are set and its
// required ones are; the strategies check the values' ranges.
func (s Settings) validate() error {
	if !s.Strategy.Known() {
		return fmt.Errorf("%s=%q: want one of %s", EnvStrategy, s.Strategy, strategyList())
	}
	var errs []error
	misplaced := func(set bool, field string, owners ...Strategy) {
		for _, o := range owners {
			if s.Strategy == o {
				return
			}
		}
		if set {
			errs = append(errs, fmt.Errorf("strategy %s: %s is not its setting", s.Strategy, field))
		}
	}
	misplaced(s.Password != (PasswordShape{}), "Password", Random, PostgresSingleUser, PostgresAlternatingUsers)
	misplaced(s.Keyring.MaxKeys != 0 || len(s.Keyring.Retire) > 0, "Keyring", Keyring)
	misplaced(s.KeyAPI.BaseURL != "", "KeyAPI.BaseURL", HTTPKey)
	misplaced(s.KeyAPI.AdminSecretARN != "" || s.KeyAPI.Grace != 0, "KeyAPI", HTTPKey, Twilio)
	misplaced(len(s.Database.Grants) > 0 || s.Database.Host != "" || s.Database.Port != 0 || s.Database.Schema.Set(), "Database", PostgresSingleUser, PostgresAlternatingUsers)
	if s.Strategy.ReadsAdminSecret() && s.KeyAPI.AdminSecretARN == "" {
		errs = append(errs, fmt.Errorf("strategy %s: %s is required", s.Strategy, EnvAdminSecretARN))
	}
	if s.Strategy == HTTPKey && s.KeyAPI.BaseURL == "" {
		errs = append(errs, fmt.Errorf("strategy %s: %s is required", s.Strategy, EnvKeyAPIBaseURL))
	}
	if s.Strategy.ReadsMasterSecret() {
		if s.Database.Host == "" {
			errs = append(errs, fmt.Errorf("strategy %s: %s is required", s.Strategy, EnvDBHost))
		} else if strings.ContainsAny(s.Database.Host, " \t\n'\\/=,") {
			errs = append(errs, fmt.Errorf("%s %q: want a host name or address", EnvDBHost, s.Database.Host))
		}
		if s.Database.Port < 1 || s.Database.Port > 65535 {
			errs = append(errs, fmt.Errorf("strategy %s: %s %d: want a TCP port, 1 to 65535", s.Strategy, EnvDBPort, s.Database.Port))
		}
	}
	if err := s.Database.Schema.validate(); err != nil {
		errs = append(errs, err)
	}
	if e := s.SecretsManagerEndpoint; e != "" {
		if u, err := url.Parse(e); err != nil || u.Scheme != "https" || u.Host == "" || strings.Trim(u.Path, "/") != "" || u.User != nil {
			errs = append(errs, fmt.Errorf("%s %q: want https://<host> (an interface endpoint's DNS name)", EnvSecretsManagerEndpoint, e))
		}
	}
	if s.KeyAPI.Grace < 0 {
		errs = append(errs, fmt.Errorf("%s %s: want a positive duration", EnvGracePeriod, s.KeyAPI.Grace))
	}
	return errors.Join(errs...)
}

// validate checks both names or neither, each a lowercase PostgreSQL
// identifier short enough for its "_clone", and two different roles.
func (s SchemaLogins) validate() error {
	if !s.Set() {
		return nil
	}
	var errs []error
	for _, f := range []struct{ env, v string }{{EnvDBSchemaOwner, s.Owner}, {EnvDBSchemaUser, s.User}} {
		if !isRoleName(f.v) {
			errs = append(errs, fmt.Errorf("%s %q: want a lowercase PostgreSQL role name of at most %d bytes (letters, digits and _, not starting with a digit), set with %s and %s", f.env, f.v, maxSchemaRoleBytes, EnvDBSchemaOwner, EnvDBSchemaUser))
		}
	}
	if s.Owner == s.User {
		errs = append(errs, fmt.Errorf("%s and %s are both %q: want two different roles", EnvDBSchemaOwner, EnvDBSchemaUser, s.Owner))
	}
	return errors.Join(errs...)
}

// maxSchemaRoleBytes leaves room for the alternating clone's "_clone" within
// PostgreSQL's 63-byte identifiers.
const maxSchemaRoleBytes = 63 - len("_clone")

func isRoleName(v string) bool {
	if v == "" || len(v) > maxSchemaRoleBytes || (v[0] >= '0' && v[0] <= '9') {
		return false
	}
	for _, c := range v {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}

func list(v string) []string {
	var out []string
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func strategyList() string {
	names := make([]string, 0, len(Strategies()))
	for _, s := range Strategies() {
		names = append(names, string(s))
	}
	return strings.Join(names, ", ")
}
