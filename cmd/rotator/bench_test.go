package main

import (
	"fmt"
	"testing"

	"github.com/acme/secrets-platform/internal/rotationtest"
	"github.com/acme/secrets-platform/internal/testenv"
)

// BenchmarkCompiledRotation measures one full random rotation through the
// compiled bootstrap under aws-lambda-rie: the engine, moto and the emulator's
// invoke path together. Compare with random's in-process BenchmarkRotation to
// see what the invoke path costs.
func BenchmarkCompiledRotation(b *testing.B) {
	env := rotationtest.New(b)
	bootstrap := testenv.BuildBootstrap(b, "./cmd/rotator")
	r := rotationtest.LambdaRotator(testenv.NewLambda(b, bootstrap, append(env.Moto.Env(), "ROTATION_STRATEGY=random")))
	// The first invocation pays the init phase, which is measured apart.
	warm := env.CreateSecret(b, "/bench/lambda/warm", "initial-value")
	env.Rotate(b, r, warm.ARN)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sec := env.CreateSecret(b, fmt.Sprintf("/bench/lambda/%d-%s", i, rotationtest.NewToken()[:8]), "initial-value")
		token := env.StartRotation(b, sec.ARN)
		b.StartTimer()
		rotationtest.RunSteps(b, r, sec.ARN, token)
	}
}
