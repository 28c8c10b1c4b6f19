package random_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/random"
)

func TestNewTakesTheShape(t *testing.T) {
	s, err := random.New(contract.PasswordShape{Length: 24, ExcludeCharacters: "abc"})
	require.NoError(t, err)
	assert.Equal(t, "random", s.Name())
	v, err := s.Create(context.Background(), engine.Rotation{})
	require.NoError(t, err)
	assert.Len(t, v, 24)
	assert.False(t, strings.ContainsAny(string(v), "abc"), "the value holds an excluded character (not shown)")

	_, err = random.New(contract.PasswordShape{Length: 8})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "new random strategy: password length 8")
}

// BenchmarkRotation measures one full rotation (the four steps the Lambda
// runs, not RotateSecret, which is Secrets Manager's own work) in process
// against moto. AWS's Python template takes 88-118 ms per rotation; the target
// is under half of that. moto's own cost is included, so this is an upper
// bound of the engine's share.
func BenchmarkRotation(b *testing.B) {
	env := rotatortest.New(b)
	s, err := random.New(contract.PasswordShape{})
	require.NoError(b, err)
	h := engine.NewHandler(env.Client(nil), s, nil)
	calls := 0
	b.ResetTimer() // starting moto is setup, not rotation
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		// A fresh secret per iteration keeps moto's version list, and so
		// DescribeSecret, the same size in every iteration.
		sec := env.CreateSecret(b, fmt.Sprintf("/bench/random/%d-%s", i, rotatortest.NewToken()[:8]), "initial-value")
		token := env.StartRotation(b, sec.ARN)
		b.StartTimer()
		rotatortest.RunSteps(b, h, sec.ARN, token)
		calls++
	}
	b.StopTimer()
	if calls != b.N {
		b.Fatalf("rotations: got %d, want %d", calls, b.N)
	}
}
