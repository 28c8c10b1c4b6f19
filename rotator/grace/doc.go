// Package grace revokes a rotated-out third-party API key only once no client can
// still be using it, without writing any state of its own.
//
// After finishSecret moves AWSCURRENT to a new key, clients keep the old key for
// as long as their cache lets them (the TTL, its jitter, then the stale period
// when a refresh fails). The old key therefore stays valid for a grace period,
// and a Sweeper, invoked on a schedule by the rotator Lambda with a
// contract.SweepEvent, revokes the key held by AWSPREVIOUS of each listed
// secret once the grace has passed. The switch time
// is read back from Secrets Manager (the CreatedDate of the AWSCURRENT version in
// ListSecretVersionIds), so nothing but the secret itself needs to be kept.
//
// A second rotation inside the grace would move the AWSPREVIOUS label off the old
// key before anyone revoked it, stranding a live key. A Gate, run by a strategy's
// Create, prevents that: it revokes the previous key first when the grace has
// passed, and refuses to start (ErrPreviousKeyInGrace) while the previous key is
// still inside its grace and still active at the provider.
//
// The grace counts from the CreatedDate of the AWSCURRENT version, which
// createSecret set, not from the switch in finishSecret: Secrets Manager keeps
// no date for a label move. A rotation that stalls between those steps (a
// failing setSecret retried for a while) shortens the effective grace by the
// stall, which is why DefaultPeriod leaves some 40 minutes over what the cache
// defaults need. moto 5.2.1 reports every version's CreatedDate as the time
// of the listing, so tests move an injected clock instead.
//
// The period is the function's contract.KeyAPI.Grace, which stack config
// validates against its cache settings; zero means DefaultPeriod.
package grace
