package config

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a stack's config: the key (a dotted path
// into the project namespace), the offending value and what is allowed.
type Problem struct {
	Key     string
	Value   string
	Allowed string
}

func (p Problem) String() string {
	return fmt.Sprintf("%s = %s: %s", p.Key, p.Value, p.Allowed)
}

// Error is every problem Parse found, reported together so that one run of
// `pulumi preview` shows the whole list instead of one problem per run.
type Error struct {
	Stack    string
	Problems []Problem
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "stack %q has %d config problem(s):", e.Stack, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p.String())
	}
	return b.String()
}

// problems collects Problems while Parse walks the config.
type problems struct{ list []Problem }

// add records a problem; value is quoted so empty and space-padded values show.
func (ps *problems) add(key string, value any, allowed string, args ...any) {
	v := fmt.Sprintf("%q", fmt.Sprint(value))
	if s, ok := value.(secretValue); ok {
		v = s.String()
	}
	ps.list = append(ps.list, Problem{Key: key, Value: v, Allowed: fmt.Sprintf(allowed, args...)})
}

// secretValue marks values that must never be echoed in a problem.
type secretValue interface {
	redacted()
	String() string
}
