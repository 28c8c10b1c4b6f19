package rotatortest

import (
	"slices"
	"testing"

	"github.com/acme/secrets-platform/rotator/engine"
)

// AssertRotated checks the end state of a finished rotation with token, given
// the AWSCURRENT version taken before it: exactly one AWSCURRENT, on the token's
// version, with a new value; the old version AWSPREVIOUS with its old value;
// AWSPENDING on no version other than the new current one. It returns the new
// current version. Failures name version ids, never values.
func (e *Env) AssertRotated(t testing.TB, secretID string, before Version, token string) Version {
	t.Helper()
	stages := e.Stages(t, secretID)
	if got := versionsWith(stages, engine.StageCurrent); len(got) != 1 || got[0] != token {
		t.Errorf("AWSCURRENT on versions %v, want exactly [%s]; stages %v", got, token, stages)
	}
	if got := versionsWith(stages, engine.StagePrevious); len(got) != 1 || got[0] != before.ID {
		t.Errorf("AWSPREVIOUS on versions %v, want exactly [%s]; stages %v", got, before.ID, stages)
	}
	for _, id := range versionsWith(stages, engine.StagePending) {
		if id != token {
			t.Errorf("AWSPENDING on version %s, want it on no version but %s; stages %v", id, token, stages)
		}
	}
	now := e.Value(t, secretID, token, engine.StageCurrent)
	if now.Value == before.Value {
		t.Errorf("AWSCURRENT value of %s equals the value of %s, want a new value", token, before.ID)
	}
	if slices.Contains(stages[before.ID], engine.StagePrevious) {
		if prev := e.Value(t, secretID, before.ID, engine.StagePrevious); prev.Value != before.Value {
			t.Errorf("AWSPREVIOUS value of %s changed during the rotation, want the old value", before.ID)
		}
	}
	return now
}

// AssertUnchanged checks that AWSCURRENT is still on the version taken before a
// rotation that was meant to fail, with the same value.
func (e *Env) AssertUnchanged(t testing.TB, secretID string, before Version) {
	t.Helper()
	stages := e.Stages(t, secretID)
	if got := versionsWith(stages, engine.StageCurrent); len(got) != 1 || got[0] != before.ID {
		t.Errorf("AWSCURRENT on versions %v, want exactly [%s]; stages %v", got, before.ID, stages)
	}
	if now := e.Value(t, secretID, before.ID, engine.StageCurrent); now.Value != before.Value {
		t.Errorf("AWSCURRENT value of %s changed, want it untouched", before.ID)
	}
}
