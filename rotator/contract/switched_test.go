package contract_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/acme/secrets-platform/rotator/contract"
)

func TestSwitchedStageRoundTrip(t *testing.T) {
	at := time.Date(2026, 12, 4, 10, 30, 15, 999, time.UTC)
	label := contract.SwitchedStage(at)
	assert.Equal(t, "SWITCHED_1796380215", label)
	got, ok := contract.ParseSwitchedStage(label)
	assert.True(t, ok, "%s not recognised", label)
	assert.True(t, got.Equal(at.Truncate(time.Second)), "got %v, want %v", got, at.Truncate(time.Second))
	for _, l := range []string{"AWSCURRENT", "SWITCHED_", "SWITCHED_x1", "SWITCHED_-5", "PLACEHOLDER"} {
		_, ok := contract.ParseSwitchedStage(l)
		assert.False(t, ok, "%q parsed as a switch label", l)
	}
}
