// Package rotatortest is the test bench of the rotation runtime, on real
// services started through internal/testenv.
//
// It plays Secrets Manager's part on moto, stands in for the rotators'
// downstream services (Database on a TLS PostgreSQL, KeyAPI for the http key
// contract, Twilio for Twilio's Keys API), and holds the conformance suite
// that every strategy runs (RunSuite, over the table in cmd/rotator).
//
// A test typically does:
//
//	env := rotatortest.New(t)                       // starts moto, fails with a hint if it cannot
//	sec := env.CreateSecret(t, "/dev/app/token", "v1") // a secret with a first AWSCURRENT value
//	calls := rotatortest.NewCounter()
//	h := engine.NewHandler(env.Client(calls), strategy, rotatortest.Logger(t))
//	before := env.Current(t, sec.ARN)
//	token := env.Rotate(t, h, sec.ARN)                 // RotateSecret + the four steps
//	env.AssertRotated(t, sec.ARN, before, token)       // one new AWSCURRENT, old one AWSPREVIOUS
//	assert.LessOrEqual(t, calls.Total(), 8)
//
// The rotator under test can be an *engine.Handler in process or the compiled
// bootstrap under aws-lambda-rie (see LambdaRotator); both satisfy Rotator.
//
// moto 5.2.1 differs from Secrets Manager in ways that matter here, and this
// package hides them so that tests assert AWS behaviour: reads always name a
// stage (moto's stage-less GetSecretValue can return a stale version);
// RotateSecret needs a registered function, or moto fakes the whole rotation,
// so StartRotation registers a stub one; and moto wrongly refuses RotateSecret
// while AWSPENDING still sits on the AWSCURRENT version (where a finished
// rotation leaves it, which AWS accepts), so StartRotation first removes it.
package rotatortest
