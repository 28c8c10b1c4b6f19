package stack_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/stack"
)

// stacks loads every committed Pulumi.<stack>.yaml, twice: as committed
// (third-party values absent) and with placeholder secret config values.
func stacks(t *testing.T) map[string]mockrun.Stack {
	t.Helper()
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	out := map[string]mockrun.Stack{}
	for _, n := range names {
		st, err := mockrun.LoadStack("..", n)
		require.NoError(t, err)
		require.Empty(t, st.Secure, "stack %s: committed stack files hold no encrypted values", n)
		out[n] = st
		withValues, err := st.WithPlaceholderSecrets()
		require.NoError(t, err)
		out[n+"+values"] = withValues
	}
	return out
}

// stacksAndVariants are the committed stacks and the variants of prod that
// switch every feature on (mockrun.Variants), by name.
func stacksAndVariants(t *testing.T) map[string]mockrun.Stack {
	t.Helper()
	all := stacks(t)
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	variants, err := mockrun.Variants(prod)
	require.NoError(t, err)
	for _, v := range variants {
		all[v.Name] = v
	}
	return all
}

func TestEveryStackSatisfiesTheSecurityRules(t *testing.T) {
	for name, st := range stacks(t) {
		t.Run(name, func(t *testing.T) {
			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			require.NotEmpty(t, rec.Resources)
			for _, v := range rules.Check(rec) {
				t.Errorf("%s", v)
			}
		})
	}
}
