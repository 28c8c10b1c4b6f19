package contract_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

func TestPlaceholderIsRecognisedAndKeepsItsFields(t *testing.T) {
	p, err := contract.Placeholder(map[string]any{"host": "db.example.internal", "port": 5432})
	require.NoError(t, err)
	assert.True(t, contract.IsPlaceholder([]byte(p)), "got %s not recognised as a placeholder", p)
	assert.Contains(t, p, `"host":"db.example.internal"`)
	assert.Contains(t, p, `"port":5432`)

	for _, v := range []string{`{"password":"x","host":"h"}`, `not json`, `"a string"`, `{"active":"k1","keys":{}}`} {
		assert.False(t, contract.IsPlaceholder([]byte(v)), "got %q recognised as a placeholder", v)
	}
	_, err = contract.Placeholder(map[string]any{contract.PlaceholderKey: "x"})
	assert.ErrorContains(t, err, "reserved")
}
