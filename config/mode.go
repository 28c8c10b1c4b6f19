package config

// Mode says how much a stack may trade safety for cost. Strict is the default,
// so a new Pulumi.<name>.yaml is safe without code changes.
type Mode string

const (
	// Strict stacks protect secrets, keys and databases, keep deleted secrets
	// recoverable, keep keys for 30 days after deletion is scheduled, and run
	// the database multi-AZ with deletion protection and a final snapshot.
	Strict Mode = "strict"
	// Disposable stacks may delete secrets immediately and skip those guards;
	// meant for staging or previews whose data can be thrown away.
	Disposable Mode = "disposable"
)

// Protection holds the data-loss guards derived from the mode and the
// overrides a stack sets; Parse refuses overrides that loosen a strict stack.
type Protection struct {
	// Protect marks secrets, keys and databases with Pulumi's protect option.
	Protect bool
	// RecoveryWindowDays is the default secret recovery window: 7-30, or 0
	// (immediate deletion) in disposable stacks only.
	RecoveryWindowDays int
	// KeyDeletionWindowDays is the KMS key deletion window: 30 in strict stacks.
	KeyDeletionWindowDays int
}

func defaultProtection(m Mode) Protection {
	if m == Disposable {
		return Protection{Protect: false, RecoveryWindowDays: 0, KeyDeletionWindowDays: 7}
	}
	return Protection{Protect: true, RecoveryWindowDays: 30, KeyDeletionWindowDays: 30}
}
