package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// Redacted replaces every secret-marked value.
const Redacted = "[secret]"

// PolicyRef stands for a policy document in a resource's settings.
const PolicyRef = "[policy document: see Policies]"

// Plan is what a stack would create.
type Plan struct {
	Stack  string `json:"stack"`
	Strict bool   `json:"strict"`
	// Counts is the number of resources by type token.
	Counts     map[string]int `json:"resourceCounts"`
	Components []Group        `json:"components"`
	Policies   []Policy       `json:"policies"`
	Outputs    map[string]any `json:"outputs"`
}

// Group is the resources whose direct parent is one component (or the stack).
type Group struct {
	// Path is the component chain from the stack, e.g. "catalog / catalog-app-stripe".
	Path      string     `json:"path"`
	Type      string     `json:"type"`
	Resources []Resource `json:"resources"`
}

// Resource is one custom resource with its settings.
type Resource struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	Protect bool   `json:"protect,omitempty"`
	// Settings are the inputs, secrets redacted; a policy input reads
	// PolicyRef and the document is in Plan.Policies under this resource's name.
	Settings      map[string]any `json:"settings"`
	IgnoreChanges []string       `json:"ignoreChanges,omitempty"`
}

// Policy is one policy document found in a resource's inputs.
type Policy struct {
	Resource string          `json:"resource"`
	Type     string          `json:"type"`
	Input    string          `json:"input"`
	Document json.RawMessage `json:"document"`
}

// build groups a recording's resources by component and pulls out every
// policy document. Recordings are sorted by URN, so the plan is stable.
func build(rec *mockrun.Recording) (Plan, error) {
	p := Plan{Stack: rec.Stack, Strict: rec.Strict, Counts: map[string]int{}, Outputs: map[string]any{}}
	byURN := map[string]mockrun.Resource{}
	for _, r := range rec.Resources {
		byURN[r.URN] = r
	}
	groups := map[string]*Group{}
	for _, r := range rec.Resources {
		if !r.Custom {
			continue
		}
		p.Counts[r.Type]++
		path, typ := componentPath(r.Parent, byURN)
		g := groups[path]
		if g == nil {
			g = &Group{Path: path, Type: typ}
			groups[path] = g
		}
		res := Resource{Type: r.Type, Name: r.Name, Protect: r.Protect, Settings: map[string]any{}, IgnoreChanges: r.IgnoreChanges}
		for _, k := range slices.Sorted(maps.Keys(r.Inputs)) {
			key := string(k)
			v, err := settle(r.Inputs[k], key, func(path string, doc json.RawMessage) {
				p.Policies = append(p.Policies, Policy{Resource: r.Name, Type: r.Type, Input: path, Document: doc})
			})
			if err != nil {
				return Plan{}, fmt.Errorf("plan %s %s: %w", r.Type, r.Name, err)
			}
			res.Settings[key] = v
		}
		g.Resources = append(g.Resources, res)
	}
	for _, path := range slices.Sorted(maps.Keys(groups)) {
		p.Components = append(p.Components, *groups[path])
	}
	for name, o := range rec.Outputs {
		if o.Secret {
			p.Outputs[name] = Redacted
			continue
		}
		p.Outputs[name] = o.Value
	}
	return p, nil
}

// componentPath names the chain of components above a resource.
func componentPath(parent string, byURN map[string]mockrun.Resource) (string, string) {
	var names []string
	typ := "pulumi:pulumi:Stack"
	for u := parent; u != ""; {
		c, ok := byURN[u]
		if !ok {
			break
		}
		if len(names) == 0 {
			typ = c.Type
		}
		names = append([]string{c.Name}, names...)
		u = c.Parent
	}
	if len(names) == 0 {
		return "(stack)", typ
	}
	return strings.Join(names, " / "), typ
}

// settle turns an input into plain JSON-able data: secrets become Redacted,
// unknowns "[unknown]", and a string holding a policy document is handed to
// policy and replaced by PolicyRef. Policies are named by resource and input,
// not numbered, so adding one resource does not renumber every other in a diff.
func settle(v resource.PropertyValue, path string, policy func(string, json.RawMessage)) (any, error) {
	switch {
	case v.IsSecret():
		return Redacted, nil
	case v.IsOutput():
		o := v.OutputValue()
		if o.Secret {
			return Redacted, nil
		}
		if !o.Known {
			return "[unknown]", nil
		}
		return settle(o.Element, path, policy)
	case v.IsComputed():
		return "[unknown]", nil
	case v.IsNull():
		return nil, nil
	case v.IsString():
		s := v.StringValue()
		if doc, ok := policyDocument(s); ok {
			policy(path, doc)
			return PolicyRef, nil
		}
		return s, nil
	case v.IsBool():
		return v.BoolValue(), nil
	case v.IsNumber():
		return v.NumberValue(), nil
	case v.IsArray():
		out := []any{}
		for i, e := range v.ArrayValue() {
			x, err := settle(e, fmt.Sprintf("%s[%d]", path, i), policy)
			if err != nil {
				return nil, err
			}
			out = append(out, x)
		}
		return out, nil
	case v.IsObject():
		obj := v.ObjectValue()
		out := map[string]any{}
		for _, k := range slices.Sorted(maps.Keys(obj)) {
			x, err := settle(obj[k], path+"."+string(k), policy)
			if err != nil {
				return nil, err
			}
			out[string(k)] = x
		}
		return out, nil
	case v.IsAsset() || v.IsArchive():
		return "[archive]", nil
	case v.IsResourceReference():
		return v.ResourceReferenceValue().URN, nil
	}
	return fmt.Sprint(v), nil
}

// policyDocument reports whether s is an IAM-language document (it has a
// Statement), and returns it indented for reading.
func policyDocument(s string) (json.RawMessage, bool) {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "{") || !strings.Contains(t, "Statement") {
		return nil, false
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(t), &probe); err != nil {
		return nil, false
	}
	if _, ok := probe["Statement"]; !ok {
		return nil, false
	}
	return json.RawMessage(t), true
}
