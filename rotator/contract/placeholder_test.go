package contract_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/secretcache"
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

// TestSecretcacheKnowsThePlaceholder: applications recognise a placeholder
// through secretcache, its own module, which cannot import this one; its
// constant must be this one.
func TestSecretcacheKnowsThePlaceholder(t *testing.T) {
	assert.Equal(t, contract.PlaceholderKey, secretcache.PlaceholderKey,
		"secretcache.PlaceholderKey = %q, want contract.PlaceholderKey %q", secretcache.PlaceholderKey, contract.PlaceholderKey)
}

// oneValue answers every GetSecretValue with v.
type oneValue string

func (v oneValue) GetSecretValue(context.Context, *secretsmanager.GetSecretValueInput, ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(string(v))}, nil
}

// TestSecretcacheServesNoPlaceholder: the placeholders the program writes
// (a bare one, a database's) reach an application as secretcache's "no
// value yet", never as a value.
func TestSecretcacheServesNoPlaceholder(t *testing.T) {
	for _, fields := range []map[string]any{nil, {"engine": "postgres", "host": "db.internal", "port": 5432, "username": "app"}} {
		p, err := contract.Placeholder(fields)
		require.NoError(t, err)
		c, err := secretcache.New(oneValue(p))
		require.NoError(t, err)
		_, err = c.GetString(t.Context(), "/prod/app/x")
		assert.ErrorIs(t, err, secretcache.ErrNoValueYet)
		assert.ErrorContains(t, err, "secret /prod/app/x has no value yet")
	}
}
