package config

import (
	"regexp"
	"strconv"
	"strings"
)

var (
	ratePattern = regexp.MustCompile(`^rate\(([0-9]+) (hour|hours|day|days)\)$`)
	cronPattern = regexp.MustCompile(`^cron\(([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+)\)$`)
	fixedNumber = regexp.MustCompile(`^[0-9]{1,2}$`)
)

// checkSchedule accepts rate(N hours|days) from 4 hours to maxDays days, and
// cron expressions that provably run between once a day and once a month
// (fixed minute and hour, every month), so both rule 2 bounds are checkable.
func checkSchedule(k, expr string, maxDays int, ps *problems) {
	if m := ratePattern.FindStringSubmatch(expr); m != nil {
		n, _ := strconv.Atoi(m[1])
		hours := n
		if strings.HasPrefix(m[2], "day") {
			hours = n * 24
		}
		if hours < 4 || hours > maxDays*24 {
			ps.add(k, expr, "a rotation period from 4 hours to maxSecretAgeDays (%d days)", maxDays)
		}
		return
	}
	if m := cronPattern.FindStringSubmatch(expr); m != nil {
		minute, hour, month := m[1], m[2], m[4]
		if !fixedNumber.MatchString(minute) || !fixedNumber.MatchString(hour) || month != "*" {
			ps.add(k, expr, "a cron with a fixed minute and hour and month *, so it runs at most daily and at least monthly; use rate(N hours) for more often")
		}
		return
	}
	ps.add(k, expr, "rate(N hours|days) or cron(min hour day-of-month month day-of-week year)")
}
