package grace

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseSweepEvent(t *testing.T) {
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:app/key-AbCdEf"
	tests := []struct {
		name    string
		raw     string
		wantOK  bool
		want    SweepEvent
		wantErr string
	}{
		{name: "sweep event", raw: `{"secretId":"` + arn + `","action":"revoke-expired"}`,
			wantOK: true, want: SweepEvent{SecretID: arn, Action: ActionRevokeExpired}},
		{name: "rotation event is not a sweep", raw: `{"Step":"createSecret","SecretId":"` + arn + `","ClientRequestToken":"t"}`},
		{name: "unknown action", raw: `{"secretId":"` + arn + `","action":"revoke-all"}`, wantErr: "revoke-expired"},
		{name: "no secret", raw: `{"action":"revoke-expired"}`, wantErr: "secretId"},
		{name: "not JSON", raw: `revoke`, wantErr: "parse event"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ParseSweepEvent([]byte(tt.raw))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				assert.False(t, ok, "ok = true with an error, want false")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantOK, ok, "ok = %v, want %v", ok, tt.wantOK)
			assert.Equal(t, tt.want, got, "event = %+v, want %+v", got, tt.want)
		})
	}
}
