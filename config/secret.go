package config

import (
	"fmt"
	"time"

	"github.com/acme/secrets-platform/rotator/contract"
)

// Kind is what a secret holds; it decides how the first value is made and
// which rotation strategies fit.
type Kind string

const (
	// KindJSON is a JSON document, its first value from secret config.
	KindJSON Kind = "json"
	// KindString is a plain string (an API key), its first value from secret config.
	KindString Kind = "string"
	// KindPassword is a generated password (pulumi-random).
	KindPassword Kind = "password"
	// KindKeyring is an AES-256 key ring for field encryption: 32 random bytes,
	// base64, under key id "k1" at first.
	KindKeyring Kind = "keyring"
	// KindDatabase is the RDS JSON shape; its connection fields come from the
	// database and its first password from pulumi-random.
	KindDatabase Kind = "database"
)

// Kinds lists the allowed kinds, in the order the docs show them.
func Kinds() []Kind { return []Kind{KindJSON, KindString, KindPassword, KindKeyring, KindDatabase} }

// Strategy is how a secret rotates: manual, or one of the Go rotator's
// strategies, whose names the rotator's contract defines.
type Strategy string

const (
	// Manual: the provider has no key API; an operator rolls the value by a
	// runbook and an alarm fires when the value is older than MaxSecretAgeDays.
	Manual Strategy = "manual"
	// Random rotates a generated password or token in the Go rotator.
	Random = Strategy(contract.Random)
	// Keyring adds a new field-encryption key and makes it active, keeping old keys.
	Keyring = Strategy(contract.Keyring)
	// HTTPKey rotates a third-party API key through the documented key contract.
	HTTPKey = Strategy(contract.HTTPKey)
	// Twilio rotates a Twilio API key through Twilio's Keys API.
	Twilio = Strategy(contract.Twilio)
	// PostgresSingleUser changes the application user's password (Go rotator).
	PostgresSingleUser = Strategy(contract.PostgresSingleUser)
	// PostgresAlternatingUsers alternates between the user and <user>_clone (Go rotator).
	PostgresAlternatingUsers = Strategy(contract.PostgresAlternatingUsers)
)

// strategiesByKind is which strategies fit each kind; the first is the default.
var strategiesByKind = map[Kind][]Strategy{
	KindJSON:     {Manual, HTTPKey, Twilio},
	KindString:   {Manual, HTTPKey, Random},
	KindPassword: {Random, Manual},
	KindKeyring:  {Keyring, Manual},
	KindDatabase: {PostgresAlternatingUsers, PostgresSingleUser},
}

// Automatic reports whether the strategy has a rotation resource.
func (s Strategy) Automatic() bool { return s != Manual }

// retiredStrategies are names the program no longer deploys, with the
// strategy to use instead and why.
func retiredStrategies() map[string]string {
	const why = "AWS's hosted rotator cannot start from a placeholder value (first values never pass through Pulumi), creates IAM roles outside the permissions boundary the deploy role must keep, and does not verify the database's certificate against a pinned CA; use %s"
	return map[string]string{
		"hosted-single-user": fmt.Sprintf(why, PostgresSingleUser),
		"hosted-multi-user":  fmt.Sprintf(why, PostgresAlternatingUsers),
	}
}

// ReadsMasterSecret reports whether the rotator also reads the database master
// secret (the named exception to SECURITY-RULES 12).
func (s Strategy) ReadsMasterSecret() bool {
	return contract.Strategy(s).ReadsMasterSecret()
}

// Secret is one catalog entry.
type Secret struct {
	// Key is where the entry is in config, for messages: secrets-platform:secrets[3],
	// or catalog/prod.yaml: secrets[3] for an entry of a catalog file.
	Key string
	// Name is the full name, /{env}/{group}/{name}.
	Name string
	// Group and Short are the second and third segments of Name.
	Group, Short string
	// Description is shown in the console.
	Description string
	Kind        Kind
	// RecoveryWindowDays applies when the secret is deleted.
	RecoveryWindowDays int
	// Tags are added to Environment, ManagedBy and Rotation.
	Tags map[string]string
	// Rotation says how and how often the value rotates.
	Rotation Rotation
	// Password shapes generated passwords (password and database kinds).
	Password Password
	// InitialValue is the first value of a json or string secret, from the
	// secret config key named by `valueConfigKey`; unset means an operator puts
	// the first value (see the runbook).
	InitialValue Sensitive
	// ValueConfigKey is the config key InitialValue came from (for messages).
	ValueConfigKey string
	// AdminSecret names the catalog secret holding the provider credential that
	// may manage keys (http and twilio strategies); only the rotator reads it.
	AdminSecret string
	// KeyAPIBaseURL is the key-management API of the http strategy.
	KeyAPIBaseURL string
	// ValuePut says an operator has put the first value of a secret whose
	// value only an operator can give (kind json or string, strategy
	// manual); the runbook sets it after the put. Until then the secret holds
	// a placeholder and rotations that need it wait (AwaitingPrerequisite).
	ValuePut bool
	// Keyring bounds a key ring (kind keyring).
	Keyring KeyringBounds
	// AdoptARN is the ARN of an existing secret this entry takes over
	// (Pulumi's import): it keeps its value and versions, gets no first
	// version and does not rotate when adopted; from then on it is managed
	// like the others. "" for a secret the program creates.
	AdoptARN string
	// ReplicaRegions are the regions Secrets Manager keeps a replica of the
	// secret in, sorted: the entry's replicaRegions, else the stack's (for
	// the kinds that replicate, ReplicationRefused), else none.
	ReplicaRegions []string
}

// Adopted reports whether the entry takes over an existing secret.
func (s Secret) Adopted() bool { return s.AdoptARN != "" }

// KeyringBounds bounds a key ring and names the keys to retire.
type KeyringBounds struct {
	// MaxKeys is the most keys the ring holds; a rotation that would exceed
	// it fails rather than drop a key (default 10).
	MaxKeys int
	// RetireKeys are key ids the next rotation drops, after every application
	// re-encrypted its data under newer keys.
	RetireKeys []string
}

// OperatorValued reports whether only an operator can give the secret's
// value: nothing generates it and no rotator mints it.
func (s Secret) OperatorValued() bool {
	return (s.Kind == KindJSON || s.Kind == KindString) && s.Rotation.Strategy == Manual
}

// HasValue reports whether the secret's first value is there when Pulumi
// creates it or is known to be there since: an adopted secret has its own;
// generated and minted secrets get theirs from their rotator; an
// operator-valued one has it once the operator put it (ValuePut) or, in a
// disposable stack, from secret config.
func (s Secret) HasValue() bool {
	return s.Adopted() || !s.OperatorValued() || s.ValuePut || s.InitialValue.IsSet()
}

// Rotation is a secret's rotation settings.
type Rotation struct {
	Strategy Strategy
	// Days between rotations, when ScheduleExpression is empty.
	Days int
	// ScheduleExpression is rate(...) or cron(...), instead of Days.
	ScheduleExpression string
	// Window is how long Secrets Manager may take to start the rotation after
	// the scheduled time (the schedule's duration), e.g. 2h.
	Window time.Duration
	// GracePeriod is how long a replaced third-party key stays valid.
	GracePeriod time.Duration
	// ManualReason says why a manual secret cannot rotate (required).
	ManualReason string
}

// Password shapes a generated password.
type Password struct {
	Length int
	// ExcludeCharacters are never generated (RDS rejects / @ " and space).
	ExcludeCharacters string
}
