package config

import "time"

// Project is the Pulumi project name, the namespace of every config key.
const Project = "secrets-platform"

// MaxRotationDays is the longest rotation period and secret age any stack may
// configure (SECURITY-RULES 2, CKV_AWS_304).
const MaxRotationDays = 90

// Config is a stack's validated configuration.
type Config struct {
	// Stack is the Pulumi stack name.
	Stack string
	// Environment is the first segment of every secret name (/{env}/{group}/{name})
	// and of the key aliases. It comes from the `environment` key and defaults to
	// the stack name.
	Environment string
	// Region is `aws:region`.
	Region string
	// AllowedAccountIDs is `aws:allowedAccountIds`: the accounts the stack may
	// deploy into, which the providers of the replica regions keep too.
	AllowedAccountIDs []string
	// ReplicaRegions is the stack's default list of regions its secrets are
	// replicated to (`replicaRegions`); an entry's own list replaces it.
	ReplicaRegions []string
	// Mode is strict unless the stack says `mode: disposable`.
	Mode Mode
	// Protection holds the data-loss guards for this stack.
	Protection Protection
	// KeyAdminRoleARNs are the roles that administer the stack's KMS keys (the
	// deploy role must be one of them, or AWS's lockout safety check refuses
	// the key policy).
	KeyAdminRoleARNs []string
	// MaxSecretAgeDays bounds every rotation period and triggers the age alarm
	// of manually rotated secrets.
	MaxSecretAgeDays int
	// Cache describes how applications read secrets; it bounds how long an old
	// value stays in use after rotation, and so the minimum grace period.
	Cache Cache
	// Secrets is the catalog, in config order.
	Secrets []Secret
	// AdoptSecretsKeyARN is an existing key the stack takes over as its
	// secrets key (Pulumi's import); "" creates a new one.
	AdoptSecretsKeyARN string
	// Database is the managed PostgreSQL; nil when the stack has none.
	Database *Database
	// ExternalSecrets are secrets owned elsewhere that workloads may read.
	ExternalSecrets []ExternalSecret
	// Workloads are the roles that read secrets.
	Workloads []Workload
	// CrossAccount are the principals in other accounts that read shared secrets.
	CrossAccount []ExternalPrincipal
	// Alerts says who hears about failed rotations and dangerous API calls.
	Alerts Alerts
}

// Strict reports whether the stack is strict.
func (c Config) Strict() bool { return c.Mode == Strict }

// OwnerChangesPrerequisite is what a database secret's rotation waits for
// while owners of existing resources have not admitted its rotator: the
// stack output that lists their changes.
const OwnerChangesPrerequisite = "changesForResourceOwners"

// AwaitingPrerequisite reports whether the secret's rotation must wait, and
// for what: a value an operator has not put yet (a key rotator cannot mint
// its first key before its admin credential is there), or, for the database
// secret, the changes owners of an existing instance or endpoint must make
// before its rotator reaches them (OwnerChangesPrerequisite, until
// database.ownerChangesApplied).
func (c Config) AwaitingPrerequisite(s Secret) (waitsFor string, waiting bool) {
	if d := c.Database; d != nil && d.Holds(s.Name) && d.OwnerChangesNeeded() && !d.OwnerChangesApplied {
		return OwnerChangesPrerequisite, true
	}
	if s.AdminSecret == "" {
		return "", false
	}
	admin, ok := c.Secret(s.AdminSecret)
	if !ok || admin.HasValue() {
		return "", false
	}
	return admin.Name, true
}

// Secret returns the catalog entry with the given full name.
func (c Config) Secret(name string) (Secret, bool) {
	for _, s := range c.Secrets {
		if s.Name == name {
			return s, true
		}
	}
	return Secret{}, false
}

// Cache is the client-side cache profile the applications use (secretcache).
type Cache struct {
	// TTL is how long a value is served before it is refreshed (default 5m).
	TTL time.Duration
	// MaxStale is how long the last good value is served while refreshes fail
	// (default 15m).
	MaxStale time.Duration
	// Instances is how many service instances read secrets, for the cost estimate.
	Instances int
}

// MaxServeAge is the longest a client of this profile may keep using a value
// after it was replaced: TTL, plus the cache's jitter of up to TTL/10, plus the
// stale-serving bound. A revoked key must have been out of use for longer, so
// the grace period of third-party key rotation must exceed it.
func (c Cache) MaxServeAge() time.Duration {
	return c.TTL + c.TTL/10 + c.MaxStale
}

// Alerts configures the alert topic's subscriptions.
type Alerts struct {
	// Emails subscribe to the alert topic (each must confirm).
	Emails []string
	// HTTPSEndpoints subscribe to the alert topic (a chat or paging webhook).
	HTTPSEndpoints []string
	// OperatorRoleARNs are the roles operators put first values and manual
	// rolls with (the runbooks): their puts alert as information, anyone
	// else's as a person changing a secret.
	OperatorRoleARNs []string
}
