package enginetest

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
)

// Run is what one engine operation did (or, for a preview, would do), read
// from the engine's event log.
type Run struct {
	// Steps are the engine's resource steps in order.
	Steps []Step
	// Changes counts the resources per operation, from the summary.
	Changes map[apitype.OpType]int
	// Diagnostics are the error messages the engine reported.
	Diagnostics []string
	// Duration is the wall time of the CLI command.
	Duration time.Duration
}

// Step is one resource step.
type Step struct {
	Op   apitype.OpType
	URN  string
	Type string
	// Diffs are the changed input keys; Keys those that force a replacement.
	Diffs, Keys []string
}

// Changed reports the steps that change something (every op but "same").
func (r *Run) Changed() []Step {
	var out []Step
	for _, s := range r.Steps {
		if s.Op != apitype.OpSame {
			out = append(out, s)
		}
	}
	return out
}

// Of returns the steps of the given operations.
func (r *Run) Of(ops ...apitype.OpType) []Step {
	var out []Step
	for _, s := range r.Steps {
		if slices.Contains(ops, s.Op) {
			out = append(out, s)
		}
	}
	return out
}

// Replacing is every op that replaces or deletes a resource.
func Replacing() []apitype.OpType {
	return []apitype.OpType{
		apitype.OpReplace, apitype.OpCreateReplacement, apitype.OpDeleteReplaced,
		apitype.OpDiscardReplaced, apitype.OpDelete, apitype.OpReadReplacement, apitype.OpImportReplacement,
	}
}

func (s Step) String() string {
	out := fmt.Sprintf("%s %s", s.Op, s.URN)
	if len(s.Diffs) > 0 {
		out += " changed " + strings.Join(s.Diffs, ",")
	}
	if len(s.Keys) > 0 {
		out += " replaced by " + strings.Join(s.Keys, ",")
	}
	return out
}

func (r *Run) errors() string {
	if len(r.Diagnostics) == 0 {
		return ""
	}
	return "\nengine errors:\n  " + strings.Join(r.Diagnostics, "\n  ")
}

// readEvents reads an event log the CLI wrote with --event-log.
func readEvents(path string) (*Run, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read engine events: %w", err)
	}
	defer f.Close()
	r := &Run{Changes: map[apitype.OpType]int{}}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 64<<20)
	for sc.Scan() {
		var e apitype.EngineEvent
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("read engine events: %w", err)
		}
		switch {
		case e.ResourcePreEvent != nil:
			m := e.ResourcePreEvent.Metadata
			r.Steps = append(r.Steps, Step{Op: m.Op, URN: m.URN, Type: m.Type, Diffs: m.Diffs, Keys: m.Keys})
		case e.SummaryEvent != nil:
			for op, n := range e.SummaryEvent.ResourceChanges {
				r.Changes[op] = n
			}
		case e.DiagnosticEvent != nil && e.DiagnosticEvent.Severity == "error":
			r.Diagnostics = append(r.Diagnostics, strings.TrimSpace(e.DiagnosticEvent.Message))
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read engine events: %w", err)
	}
	return r, nil
}
