package delivery

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// preview is the part of `pulumi preview --json` a digest keeps. The shape
// is display.PreviewDigest and apitype.ResourceV3 of
// github.com/pulumi/pulumi/pkg/v3 v3.276.0 (display/json.go,
// backend/display/json.go), the CLI version the workflows install. Fields
// that differ between two previews of the same change (duration,
// diagnostics, created/modified times) are left out on purpose.
type preview struct {
	Config map[string]string `json:"config"`
	Steps  []struct {
		Op             string                  `json:"op"`
		URN            string                  `json:"urn"`
		Provider       string                  `json:"provider"`
		DiffReasons    []string                `json:"diffReasons"`
		ReplaceReasons []string                `json:"replaceReasons"`
		DetailedDiff   map[string]PropertyDiff `json:"detailedDiff"`
		NewState       *struct {
			Inputs         json.RawMessage `json:"inputs"`
			Protect        bool            `json:"protect"`
			RetainOnDelete bool            `json:"retainOnDelete"`
			IgnoreChanges  []string        `json:"ignoreChanges"`
		} `json:"newState"`
	} `json:"steps"`
}

// PropertyDiff is how one property changes (display.PropertyDiff).
type PropertyDiff struct {
	// Kind is add, delete, update, add-replace, delete-replace or update-replace.
	Kind string `json:"kind"`
	// InputDiff is true when old and new inputs differ rather than old state and new inputs.
	InputDiff bool `json:"inputDiff"`
}

// Change is one step a preview proposes, reduced to what the engine will do.
type Change struct {
	// Op is the step: create, update, delete, replace, create-replacement, ...
	Op string `json:"op"`
	// URN names the resource.
	URN string `json:"urn"`
	// Provider is the provider reference that performs the step.
	Provider string `json:"provider,omitempty"`
	// DiffReasons are the keys that cause an update.
	DiffReasons []string `json:"diffReasons,omitempty"`
	// ReplaceReasons are the keys that cause a replacement.
	ReplaceReasons []string `json:"replaceReasons,omitempty"`
	// DetailedDiff is the per-property diff.
	DetailedDiff map[string]PropertyDiff `json:"detailedDiff,omitempty"`
	// Inputs are the resource's new inputs in canonical JSON (sorted keys).
	// Secret values are blinded by the CLI, unknown ones are its fixed
	// placeholder, so two previews of the same change give the same bytes.
	Inputs json.RawMessage `json:"inputs,omitempty"`
	// Protect, RetainOnDelete and IgnoreChanges are the options that change
	// what a later deploy may do to the resource.
	Protect        bool     `json:"protect,omitempty"`
	RetainOnDelete bool     `json:"retainOnDelete,omitempty"`
	IgnoreChanges  []string `json:"ignoreChanges,omitempty"`
}

// Digest is what a preview would apply to a stack from one commit.
type Digest struct {
	// Commit is the git commit the preview ran on.
	Commit string `json:"commit"`
	// Config is the stack config the preview used, secrets blinded.
	Config map[string]string `json:"config,omitempty"`
	// Changes are the steps other than "same", ordered by URN then Op.
	Changes []Change `json:"changes"`
}

// ParsePreview reads `pulumi preview --json` and returns its digest for
// commit. Steps that change nothing ("same") are dropped.
func ParsePreview(r io.Reader, commit string) (Digest, error) {
	if commit == "" {
		return Digest{}, fmt.Errorf("parse preview: the commit is required")
	}
	var p preview
	dec := json.NewDecoder(r)
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return Digest{}, fmt.Errorf("parse preview: %w", err)
	}
	d := Digest{Commit: commit, Config: p.Config, Changes: []Change{}}
	for _, s := range p.Steps {
		if s.Op == "same" {
			continue
		}
		if s.Op == "" || s.URN == "" {
			return Digest{}, fmt.Errorf("parse preview: a step without op or urn")
		}
		c := Change{Op: s.Op, URN: s.URN, Provider: s.Provider, DetailedDiff: s.DetailedDiff,
			DiffReasons: sorted(s.DiffReasons), ReplaceReasons: sorted(s.ReplaceReasons)}
		if s.NewState != nil {
			in, err := canonical(s.NewState.Inputs)
			if err != nil {
				return Digest{}, fmt.Errorf("parse preview: inputs of %s: %w", s.URN, err)
			}
			c.Inputs, c.Protect, c.RetainOnDelete, c.IgnoreChanges = in, s.NewState.Protect, s.NewState.RetainOnDelete, sorted(s.NewState.IgnoreChanges)
		}
		d.Changes = append(d.Changes, c)
	}
	slices.SortFunc(d.Changes, func(a, b Change) int {
		if c := strings.Compare(a.URN, b.URN); c != 0 {
			return c
		}
		return strings.Compare(a.Op, b.Op)
	})
	return d, nil
}

// Differences lists, one line each, how d differs from the reviewed digest:
// another commit, other config, changes added, dropped or altered. None
// means d applies exactly what was reviewed.
func (d Digest) Differences(reviewed Digest) []string {
	var out []string
	if d.Commit != reviewed.Commit {
		out = append(out, fmt.Sprintf("commit: reviewed %s, now %s", reviewed.Commit, d.Commit))
	}
	for _, k := range slices.Sorted(maps.Keys(union(d.Config, reviewed.Config))) {
		if d.Config[k] != reviewed.Config[k] {
			// Config values are printed by the preview itself with secrets
			// blinded; only the key is named here all the same.
			out = append(out, fmt.Sprintf("config %s: differs from the reviewed preview", k))
		}
	}
	now, was := index(d.Changes), index(reviewed.Changes)
	for _, k := range slices.Sorted(maps.Keys(union(now, was))) {
		a, inNow := now[k]
		b, inWas := was[k]
		switch {
		case !inWas:
			out = append(out, "not reviewed: "+k)
		case !inNow:
			out = append(out, "reviewed but no longer proposed: "+k)
		case !sameChange(a, b):
			out = append(out, "changed since review: "+k)
		}
	}
	return out
}

// index keys changes by "op urn".
func index(cs []Change) map[string]Change {
	m := make(map[string]Change, len(cs))
	for _, c := range cs {
		m[c.Op+" "+c.URN] = c
	}
	return m
}

func sameChange(a, b Change) bool {
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

func union[V any](a, b map[string]V) map[string]V {
	m := maps.Clone(a)
	if m == nil {
		m = map[string]V{}
	}
	maps.Copy(m, b)
	return m
}

func sorted(xs []string) []string {
	if len(xs) == 0 {
		return nil
	}
	return slices.Sorted(slices.Values(xs))
}

// canonical re-encodes JSON with sorted object keys and numbers as written.
func canonical(raw json.RawMessage) (json.RawMessage, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	out, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return out, nil
}
