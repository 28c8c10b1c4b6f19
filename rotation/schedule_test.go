package rotation_test

import (
	"fmt"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/rotation"
)

func TestScheduleKeepsAnExpressionFromConfig(t *testing.T) {
	for _, expr := range []string{"rate(4 hours)", "cron(0 3 1 * ? *)"} {
		assert.Equal(t, expr, rotation.Schedule(config.Rotation{ScheduleExpression: expr, Window: 2 * time.Hour}, 7))
	}
}

var scheduleCron = regexp.MustCompile(`^cron\(0 ([0-9]+) (1/([0-9]+)|([0-9]+)) \* \? \*\)$`)

// firesOn reports whether a schedule made by rotation.Schedule fires on a day,
// read from the cron fields the way EventBridge reads them: "1/N" in the
// day-of-month field is every N days of the month from the 1st, a number is
// that day of every month.
func firesOn(t *testing.T, expr string, day time.Time) bool {
	t.Helper()
	m := scheduleCron.FindStringSubmatch(expr)
	require.NotNil(t, m, "got schedule %q, want one of the two forms Schedule makes", expr)
	if m[3] != "" {
		n, _ := strconv.Atoi(m[3])
		return (day.Day()-1)%n == 0
	}
	d, _ := strconv.Atoi(m[4])
	return day.Day() == d
}

// TestScheduleNeverExceedsThePeriod walks three years of calendar days for
// every period and a spread of slots: two rotations are never more than the
// configured number of days apart, also across the ends of months.
func TestScheduleNeverExceedsThePeriod(t *testing.T) {
	start := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	for days := 1; days <= config.MaxRotationDays; days++ {
		for _, slot := range []int{0, 1, 22, 23, 47, 500, 1999} {
			expr := rotation.Schedule(config.Rotation{Days: days, Window: 2 * time.Hour}, slot)
			var last time.Time
			for d := start; d.Before(start.AddDate(3, 0, 0)); d = d.AddDate(0, 0, 1) {
				if !firesOn(t, expr, d) {
					continue
				}
				if !last.IsZero() {
					gap := int(d.Sub(last).Hours() / 24)
					if gap > days {
						t.Fatalf("days=%d slot=%d %s: rotations %s and %s are %d days apart, want at most %d", days, slot, expr, last.Format(time.DateOnly), d.Format(time.DateOnly), gap, days)
					}
				}
				last = d
			}
			require.False(t, last.IsZero(), "days=%d slot=%d %s never fires", days, slot, expr)
		}
	}
}

// TestScheduleStaggersWindows: n rotated secrets in slots 0..n-1 never put
// more than ⌈n/24⌉+2 windows in one UTC hour with the default one-hour
// window, nor more than ⌈n/(25-W)⌉ with a W-hour window (which may open at
// 25-W hours only), and every window ends within its UTC day as Secrets
// Manager requires.
func TestScheduleStaggersWindows(t *testing.T) {
	for _, n := range []int{48, 100, 2000} {
		for _, window := range []time.Duration{time.Hour, 2 * time.Hour, 6 * time.Hour} {
			t.Run(fmt.Sprintf("%d secrets, %v window", n, window), func(t *testing.T) {
				perHour := map[int]int{}
				for slot := range n {
					expr := rotation.Schedule(config.Rotation{Days: 30, Window: window}, slot)
					m := scheduleCron.FindStringSubmatch(expr)
					require.NotNil(t, m, "got %q", expr)
					hour, _ := strconv.Atoi(m[1])
					require.LessOrEqual(t, hour+int(window.Hours()), 24, "slot %d: window %v from %02d:00 runs into the next UTC day", slot, window, hour)
					perHour[hour]++
				}
				bound := (n+23)/24 + 2
				if window > time.Hour {
					opening := 25 - int(window.Hours())
					bound = (n + opening - 1) / opening
				}
				for hour, got := range perHour {
					assert.LessOrEqual(t, got, bound, "hour %02d holds %d of %d windows, want at most %d", hour, got, n, bound)
				}
			})
		}
	}
}

func TestRotateImmediatelyUnlessTheValueCameFromConfig(t *testing.T) {
	for _, kind := range config.Kinds() {
		assert.True(t, rotation.RotateImmediately(config.Secret{Kind: kind}), "kind %s with a placeholder: got no immediate rotation, want one (the rotator makes the first value)", kind)
	}
	withValue := config.Secret{Kind: config.KindJSON, InitialValue: config.NewSensitive(`{"k":"v"}`)}
	assert.False(t, rotation.RotateImmediately(withValue), "a value from secret config rotates at once, want it kept until its schedule")
}
