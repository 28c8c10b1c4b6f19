// Package contract holds what the Pulumi program shares with the rotator runtime.
//
// That is the strategy names, the environment variable names, the sweep
// event, the placeholder first value and the typed settings of one rotation
// function.
//
// It imports only the standard library. The program writes a function's
// environment only through Settings.Env, and the runtime reads it only through
// FromEnv, so neither side spells a variable name itself and a setting that
// one side has and the other lacks fails a test, not a rotation.
package contract
