package config

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func raw(values map[string]string) Raw {
	v := map[string]string{
		"aws:region":                        "eu-west-1",
		"secrets-platform:keyAdminRoleArns": `["arn:aws:iam::111122223333:role/deploy"]`,
	}
	for k, x := range values {
		v[k] = x
	}
	return Raw{Stack: "dev", Values: v, Secret: map[string]bool{}}
}

func TestDefaultsAreStrict(t *testing.T) {
	c, err := Parse(raw(nil))
	require.NoError(t, err)
	assert.Equal(t, "dev", c.Environment, "environment defaults to the stack name")
	assert.Equal(t, Strict, c.Mode)
	assert.Equal(t, Protection{Protect: true, RecoveryWindowDays: 30, KeyDeletionWindowDays: 30}, c.Protection)
	assert.Equal(t, 5*time.Minute, c.Cache.TTL)
	assert.Equal(t, 20*time.Minute+30*time.Second, c.Cache.MaxServeAge())
}

func TestDisposableLoosensOnlyDataLossGuards(t *testing.T) {
	c, err := Parse(raw(map[string]string{"secrets-platform:mode": "disposable"}))
	require.NoError(t, err)
	assert.Equal(t, Protection{Protect: false, RecoveryWindowDays: 0, KeyDeletionWindowDays: 7}, c.Protection)
}

func TestSecretDefaults(t *testing.T) {
	c, err := Parse(raw(map[string]string{"secrets-platform:secrets": `[
		{"name":"/dev/app/session","description":"d","kind":"password"},
		{"name":"/dev/app/ring","description":"d","kind":"keyring"},
		{"name":"/dev/app/db","description":"d","kind":"database","rotation":{"scheduleExpression":"cron(0 3 ? * SUN *)","window":"3h"}}
	]`, "secrets-platform:database": `{"secretName":"/dev/app/db"}`}))
	require.NoError(t, err)
	require.Len(t, c.Secrets, 3)
	assert.Equal(t, Random, c.Secrets[0].Rotation.Strategy)
	assert.Equal(t, 30, c.Secrets[0].Rotation.Days)
	assert.Equal(t, 32, c.Secrets[0].Password.Length)
	assert.Equal(t, Keyring, c.Secrets[1].Rotation.Strategy)
	assert.Equal(t, "app", c.Secrets[1].Group)
	assert.Equal(t, PostgresAlternatingUsers, c.Secrets[2].Rotation.Strategy)
	assert.Equal(t, 3*time.Hour, c.Secrets[2].Rotation.Window)
	require.NotNil(t, c.Database)
	assert.True(t, c.Database.MultiAZ, "strict stacks run multi-AZ")
	assert.Equal(t, 7, c.Database.BackupRetentionDays)
	assert.True(t, c.Database.Network.CreatesVPC())
}

func TestSchedules(t *testing.T) {
	cases := []struct {
		expr string
		ok   bool
	}{
		{"rate(4 hours)", true},
		{"rate(3 hours)", false},
		{"rate(90 days)", true},
		{"rate(91 days)", false},
		{"rate(1 day)", true},
		{"cron(0 3 ? * SUN *)", true},
		{"cron(0 */2 * * ? *)", false},
		{"cron(0 3 1 1 ? *)", false},
		{"every day", false},
	}
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			ps := &problems{}
			checkSchedule("k", tc.expr, 90, ps)
			assert.Equal(t, tc.ok, len(ps.list) == 0, "got problems %v", ps.list)
		})
	}
}

func TestSensitiveNeverPrints(t *testing.T) {
	s := NewSensitive("sk_live_abc")
	for _, got := range []string{s.String(), s.GoString()} {
		assert.Equal(t, "[secret]", got)
	}
	b, err := s.MarshalJSON()
	require.NoError(t, err)
	assert.JSONEq(t, `"[secret]"`, string(b))
	assert.Equal(t, "sk_live_abc", s.Reveal())
}
