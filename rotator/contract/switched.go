package contract

import (
	"strconv"
	"strings"
	"time"
)

// SwitchedStagePrefix begins the staging label that records when a key
// strategy (http, twilio) moved AWSCURRENT: SWITCHED_<unix seconds>. Secrets
// Manager keeps no date for a label move, and the grace of the replaced key
// counts from that moment (decision D4).
const SwitchedStagePrefix = "SWITCHED_"

// RevokedStage marks the version whose key the grace sweeper revoked. A
// label sits on one version of a secret at a time, so it moves from the last
// revoked version to the next; a sweep that finds AWSPREVIOUS carrying it
// has nothing to read or revoke (decision D4).
const RevokedStage = "REVOKED"

// SwitchedStage is the label recording a switch at t.
func SwitchedStage(t time.Time) string {
	return SwitchedStagePrefix + strconv.FormatInt(t.Unix(), 10)
}

// ParseSwitchedStage returns the time a SwitchedStage label records, and
// false for any other label.
func ParseSwitchedStage(label string) (time.Time, bool) {
	digits, ok := strings.CutPrefix(label, SwitchedStagePrefix)
	if !ok || digits == "" {
		return time.Time{}, false
	}
	sec, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || sec < 0 {
		return time.Time{}, false
	}
	return time.Unix(sec, 0), true
}
