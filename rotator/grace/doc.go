// Package grace revokes a rotated-out third-party API key only once no client can
// still be using it, without writing any state of its own.
//
// After finishSecret moves AWSCURRENT to a new key, clients keep the old key for
// as long as their cache lets them (the TTL, its jitter, then the stale period
// when a refresh fails). The old key therefore stays valid for a grace period,
// and a Sweeper, invoked on a schedule by the rotator Lambda with a
// contract.SweepEvent, revokes the key held by AWSPREVIOUS of each listed
// secret once the grace has passed.
//
// The grace counts from the switch, however late finishSecret runs after
// createSecret (decision D4). Secrets Manager keeps no date for a label move,
// so finishSecret labels the new AWSCURRENT version SWITCHED_<unix seconds>
// (contract.SwitchedStage), and the Sweeper and the Gate read that label from
// DescribeSecret: no role needs more than the rotation protocol's own
// actions. A current version without the label (a put by hand, a finishSecret
// that crashed between its two calls) is labelled by the first sweep that
// sees it, so its grace starts then: later than the switch, never earlier.
// The sweep removes every older switch label, so a secret keeps at most two
// of Secrets Manager's 20 labels for them.
//
// A second rotation inside the grace would move the AWSPREVIOUS label off the old
// key before anyone revoked it, stranding a live key. A Gate, run by a strategy's
// Create, prevents that: it revokes the previous key first when the grace has
// passed, and refuses to start (ErrPreviousKeyInGrace) while the previous key is
// still inside its grace and still active at the provider.
//
// A previous version that is the program's placeholder (contract.IsPlaceholder)
// holds no key: nothing is revoked for it.
//
// The period is the function's contract.KeyAPI.Grace, which stack config
// validates against its cache settings; zero means DefaultPeriod.
package grace
