package engine

import (
	"context"
	"time"
)

// Version is one version of the secret under rotation, as a strategy sees it.
// Value is the SecretString; it must never be logged or put in an error.
type Version struct {
	ID    string
	Value []byte
	// Placeholder marks the program's first version, which holds nothing
	// secret (decision D3): the strategy makes a fresh value instead of
	// deriving one. Value then holds the placeholder's other fields (a
	// database's engine, host, port, dbname, username, masterarn), without
	// the contract.PlaceholderKey marker, and is {} for the others.
	Placeholder bool
}

// Rotation is what each strategy step sees of the secret being rotated. The engine
// fills it from Secrets Manager before calling the strategy: version ids always,
// values only where the step reads them (Create always gets Current.Value; Set
// and Test get what Needs asks for).
type Rotation struct {
	// SecretARN is the secret being rotated.
	SecretARN string
	// Token is the ClientRequestToken: the version id of AWSPENDING.
	Token string
	// Current is the AWSCURRENT version; always set.
	Current Version
	// Pending is the AWSPENDING version (ID == Token); empty in Create.
	Pending Version
	// Stages are the staging labels of every version, from the
	// DescribeSecret the step began with, so that a strategy that needs
	// them (the grace gate) makes no call of its own.
	Stages map[string][]string
}

// Strategy is the part of rotation that knows the downstream service. The engine
// owns the four-step protocol, the version stages and every Secrets Manager call;
// a strategy owns only the value and the service that must accept it.
type Strategy interface {
	// Name identifies the strategy in logs and configuration ("random", "keyring", ...).
	Name() string
	// Create returns the value to store as AWSPENDING, derived from r.Current.
	// It runs once per token: the engine calls it only when no AWSPENDING value
	// exists for the token yet. Random material comes from crypto/rand.
	Create(ctx context.Context, r Rotation) ([]byte, error)
	// Set makes the downstream service accept r.Pending. It must be idempotent:
	// Secrets Manager retries a failed step with the same token.
	Set(ctx context.Context, r Rotation) error
	// Test proves that r.Pending really works against the downstream service,
	// and fails loudly (an error) when it does not.
	Test(ctx context.Context, r Rotation) error
}

// Needs tells the engine which values a step reads, so that it fetches nothing a
// strategy does not use (each GetSecretValue is a billed API call). A strategy
// that does not implement ValueNeeds gets every value it could use.
type Needs struct {
	CurrentInSet, PendingInSet   bool
	CurrentInTest, PendingInTest bool
}

// ValueNeeds is implemented by strategies that read fewer values than all of them.
type ValueNeeds interface {
	Needs() Needs
}

// SwitchRecorder is implemented by strategies whose replaced value stays
// valid for a grace period counted from the switch (decision D4). After
// moving AWSCURRENT, finishSecret labels the new current version
// contract.SwitchedStage(SwitchTime()); Secrets Manager keeps no date for a
// label move.
type SwitchRecorder interface {
	SwitchTime() time.Time
}

// Discarder is implemented by strategies whose Create acts outside Secrets
// Manager (it mints a provider key). Two createSecret invocations for one
// token can race; only one value is stored (the first on AWS, the last on
// moto). After its put the engine reads AWSPENDING back, and when another
// invocation's value was stored it hands its own, never stored, value to
// Discard, which must undo Create's effect (revoke the key) idempotently.
type Discarder interface {
	Discard(ctx context.Context, r Rotation, unstored []byte) error
}
