package grace

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMinGrace(t *testing.T) {
	tests := []struct {
		name          string
		ttl, maxStale time.Duration
		want          time.Duration
	}{
		{name: "platform defaults", ttl: 5 * time.Minute, maxStale: 15 * time.Minute, want: 20*time.Minute + 30*time.Second},
		{name: "no stale serving", ttl: 10 * time.Minute, want: 11 * time.Minute},
		{name: "no cache", want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MinGrace(tt.ttl, tt.maxStale)
			assert.Equal(t, tt.want, got, "MinGrace(%s, %s) = %s, want %s", tt.ttl, tt.maxStale, got, tt.want)
		})
	}
	assert.Greater(t, DefaultPeriod, MinGrace(5*time.Minute, 15*time.Minute),
		"DefaultPeriod %s must exceed MinGrace of the platform defaults", DefaultPeriod)
}

func TestPeriodFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     string
		want    time.Duration
		wantErr string
	}{
		{name: "unset means default", env: "", want: time.Hour},
		{name: "go duration", env: "45m", want: 45 * time.Minute},
		{name: "not a duration", env: "an hour", wantErr: "parse GRACE_PERIOD"},
		{name: "zero", env: "0s", wantErr: "not a positive duration"},
		{name: "negative", env: "-1h", wantErr: "not a positive duration"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			getenv := func(k string) string {
				require.Equal(t, PeriodEnv, k, "read env %q, want only %q", k, PeriodEnv)
				return tt.env
			}
			got, err := PeriodFromEnv(getenv)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr, "error %q, want it to contain %q", err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "period = %s, want %s", got, tt.want)
		})
	}
}
