package contract_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
)

func TestSweepEventRoundTrip(t *testing.T) {
	const a, b = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/x/a-AbCdEf", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/x/b-GhIjKl"
	want := contract.SweepEvent{Action: contract.ActionRevokeExpired, SecretIDs: []string{a, b}}
	raw, err := want.JSON()
	require.NoError(t, err)
	got, ok, err := contract.ParseSweepEvent([]byte(raw))
	require.NoError(t, err)
	assert.True(t, ok, "a sweep event was not recognised")
	assert.Equal(t, want, got)
}

func TestParseSweepEvent(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-AbCdEf"
	tests := []struct {
		name, raw, wantErr string
		wantOK             bool
	}{
		{name: "sweep event", raw: `{"secretIds":["` + arn + `"],"action":"revoke-expired"}`, wantOK: true},
		{name: "rotation event is not a sweep", raw: `{"Step":"createSecret","SecretId":"` + arn + `","ClientRequestToken":"t"}`},
		{name: "unknown action", raw: `{"secretIds":["` + arn + `"],"action":"revoke-all"}`, wantErr: "revoke-expired"},
		{name: "no secret", raw: `{"action":"revoke-expired"}`, wantErr: "secretIds"},
		{name: "an empty secret id", raw: `{"action":"revoke-expired","secretIds":[""]}`, wantErr: "empty secret id"},
		{name: "not JSON", raw: `revoke`, wantErr: "parse event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, ok, err := contract.ParseSweepEvent([]byte(tt.raw))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorContains(t, err, tt.wantErr)
				assert.False(t, ok, "ok = true with an error, want false")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantOK, ok, "ok = %v, want %v", ok, tt.wantOK)
		})
	}
}
