package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/rotator/contract"
)

// randomEnv is a random function's environment on moto.
func randomEnv(b *testing.B, env *rotatortest.Env) []string {
	b.Helper()
	return subject{settings: contract.Settings{Strategy: contract.Random}}.env(b, env.Moto.Env())
}

// BenchmarkCompiledRotation measures one full random rotation through the
// compiled bootstrap under aws-lambda-rie: the engine, moto and the emulator's
// invoke path together. Compare with random's in-process BenchmarkRotation to
// see what the invoke path costs.
func BenchmarkCompiledRotation(b *testing.B) {
	env := rotatortest.New(b)
	bootstrap := testenv.BuildBootstrap(b, "./cmd/rotator")
	r := rotatortest.LambdaRotator(testenv.NewLambda(b, bootstrap, randomEnv(b, env)))
	// The first invocation pays the init phase, which is measured apart.
	warm := env.CreateSecret(b, "/bench/lambda/warm", "initial-value")
	env.Rotate(b, r, warm.ARN)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sec := env.CreateSecret(b, fmt.Sprintf("/bench/lambda/%d-%s", i, rotatortest.NewToken()[:8]), "initial-value")
		token := env.StartRotation(b, sec.ARN)
		b.StartTimer()
		rotatortest.RunSteps(b, r, sec.ARN, token)
	}
}

// BenchmarkColdStart starts a fresh sandbox per iteration and reports the
// init phase aws-lambda-rie measures for the first invoke (loading the AWS
// config and building clients and the strategy), as init-ms. The issue's
// target is under 50 ms; AWS's Python template pays about 450 ms.
func BenchmarkColdStart(b *testing.B) {
	env := rotatortest.New(b)
	bootstrap := testenv.BuildBootstrap(b, "./cmd/rotator")
	sec := env.CreateSecret(b, "/bench/lambda/cold", "initial-value")
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		fn, stop, err := testenv.StartLambda(bootstrap, randomEnv(b, env))
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		// Any event makes the sandbox run init; an unknown step is answered
		// without touching the secret.
		_, err = fn.Invoke(context.Background(), []byte(`{"SecretId":"`+sec.ARN+`","ClientRequestToken":"t","Step":"none"}`))
		b.StopTimer()
		inits := fn.InitDurations()
		stop()
		if err != nil || len(inits) != 1 {
			b.Fatalf("invoke: %v, init phases: %v", err, inits)
		}
		total += inits[0]
	}
	b.ReportMetric(float64(total.Microseconds())/1000/float64(b.N), "init-ms")
}
