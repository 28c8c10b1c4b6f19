package rules

import (
	"fmt"
	"slices"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// Rule is one rule of docs/security-rules.md, checked over a whole recording.
type Rule struct {
	// ID is the rule's number in docs/security-rules.md.
	ID    int
	Title string
	Check func(rec *mockrun.Recording) []Violation
}

// Violation is one place a recording breaks a rule.
type Violation struct {
	Rule     int
	Resource string
	Message  string
}

func (v Violation) String() string {
	return fmt.Sprintf("rule %d: %s: %s", v.Rule, v.Resource, v.Message)
}

// Exception is a named place where a rule does not fit on purpose. Checks
// consult it by name, and the tests prove each exception applies exactly
// where it says.
type Exception struct {
	Rule int
	Name string
	Why  string
}

// Rules lists every rule the program is checked against, grouped by the
// layer that brought it.
func Rules() []Rule {
	return slices.Concat(foundationRules(), rotationRules(), accessRules(), databaseRules(), alertRules())
}

// Exceptions lists every named exception.
func Exceptions() []Exception {
	return slices.Concat(foundationExceptions(), rotationExceptions(), accessExceptions(), alertExceptions())
}

// Check runs every rule and returns the violations, ordered by rule.
func Check(rec *mockrun.Recording) []Violation {
	var out []Violation
	for _, r := range Rules() {
		out = append(out, r.Check(rec)...)
	}
	return out
}

func violation(rule int, res mockrun.Resource, format string, args ...any) Violation {
	return Violation{Rule: rule, Resource: res.Type + " " + res.Name, Message: fmt.Sprintf(format, args...)}
}
