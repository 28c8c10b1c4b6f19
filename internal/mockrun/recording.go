package mockrun

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Resource is one registered resource with its inputs, the state the mocks
// returned, and the options that matter to the rules.
type Resource struct {
	Type   string
	Name   string
	URN    string
	Custom bool
	Inputs resource.PropertyMap
	State  resource.PropertyMap
	// Parent is the parent's URN; Provider the provider reference.
	Parent, Provider        string
	Protect                 bool
	RetainOnDelete          bool
	IgnoreChanges           []string
	AdditionalSecretOutputs []string
	DependsOn               []string
	// ImportID is the id of an existing resource the program adopts with
	// Pulumi's import option; "" for a resource it creates.
	ImportID string
	// Region is the region the resource deploys into: its explicit
	// provider's (a replica region's), else the stack's.
	Region string
}

// Output is one stack output after it resolved.
type Output struct {
	Value  any
	Secret bool
	Known  bool
}

// Decode converts the output's value into v (through JSON), so callers need
// not know which Go type the SDK resolved it to.
func (o Output) Decode(v any) error {
	b, err := json.Marshal(o.Value)
	if err != nil {
		return fmt.Errorf("encode output: %w", err)
	}
	return json.Unmarshal(b, v)
}

// Recording is everything a program run registered.
type Recording struct {
	Stack string
	// Region is the stack's region (aws:region).
	Region string
	// Strict is false only for a stack whose config says mode: disposable.
	Strict    bool
	Resources []Resource
	Outputs   map[string]Output
}

// OfType returns the resources of a type token, in registration order.
func (r *Recording) OfType(typ string) []Resource {
	var out []Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	return out
}

// Named returns the resource with the given logical name.
func (r *Recording) Named(name string) (Resource, bool) {
	i := slices.IndexFunc(r.Resources, func(res Resource) bool { return res.Name == name })
	if i < 0 {
		return Resource{}, false
	}
	return r.Resources[i], true
}

// ByURN returns the resource with the given URN.
func (r *Recording) ByURN(urn string) (Resource, bool) {
	i := slices.IndexFunc(r.Resources, func(res Resource) bool { return res.URN == urn })
	if i < 0 {
		return Resource{}, false
	}
	return r.Resources[i], true
}

// Children returns the resources whose parent is res.
func (r *Recording) Children(res Resource) []Resource {
	var out []Resource
	for _, c := range r.Resources {
		if c.Parent == res.URN {
			out = append(out, c)
		}
	}
	return out
}

// CountByType counts the custom resources by type token.
func (r *Recording) CountByType() map[string]int {
	n := map[string]int{}
	for _, res := range r.Resources {
		n[res.Type]++
	}
	return n
}

// Plain unwraps secrets and outputs to the plain value underneath.
func Plain(v resource.PropertyValue) resource.PropertyValue {
	for {
		switch {
		case v.IsSecret():
			v = v.SecretValue().Element
		case v.IsOutput():
			v = v.OutputValue().Element
		default:
			return v
		}
	}
}

// Input returns an input by a dotted path ("tags.Environment"), unwrapped.
func (res Resource) Input(path string) (resource.PropertyValue, bool) {
	cur := resource.NewObjectProperty(res.Inputs)
	for _, part := range strings.Split(path, ".") {
		cur = Plain(cur)
		if !cur.IsObject() {
			return resource.PropertyValue{}, false
		}
		next, ok := cur.ObjectValue()[resource.PropertyKey(part)]
		if !ok || next.IsNull() {
			return resource.PropertyValue{}, false
		}
		cur = next
	}
	return Plain(cur), true
}

// Str returns a string input, "" when absent.
func (res Resource) Str(path string) string {
	v, ok := res.Input(path)
	if !ok || !v.IsString() {
		return ""
	}
	return v.StringValue()
}

// Bool returns a bool input and whether it was set.
func (res Resource) Bool(path string) (bool, bool) {
	v, ok := res.Input(path)
	if !ok || !v.IsBool() {
		return false, false
	}
	return v.BoolValue(), true
}

// Int returns a number input and whether it was set.
func (res Resource) Int(path string) (int, bool) {
	v, ok := res.Input(path)
	if !ok || !v.IsNumber() {
		return 0, false
	}
	return int(v.NumberValue()), true
}

// Strings returns a list-of-strings input.
func (res Resource) Strings(path string) []string {
	v, ok := res.Input(path)
	if !ok || !v.IsArray() {
		return nil
	}
	var out []string
	for _, e := range v.ArrayValue() {
		if e = Plain(e); e.IsString() {
			out = append(out, e.StringValue())
		}
	}
	return out
}

// Secret reports whether the input at a top-level key is marked secret.
func (res Resource) Secret(key string) bool {
	v, ok := res.Inputs[resource.PropertyKey(key)]
	return ok && (v.IsSecret() || (v.IsOutput() && v.OutputValue().Secret))
}

// StateStr returns a string from the state the mocks returned.
func (res Resource) StateStr(key string) string {
	v, ok := res.State[resource.PropertyKey(key)]
	if !ok {
		return ""
	}
	if v = Plain(v); v.IsString() {
		return v.StringValue()
	}
	return ""
}

// Tags returns the tags input.
func (res Resource) Tags() map[string]string {
	v, ok := res.Input("tags")
	if !ok || !v.IsObject() {
		return nil
	}
	out := map[string]string{}
	for k, tv := range v.ObjectValue() {
		if tv = Plain(tv); tv.IsString() {
			out[string(k)] = tv.StringValue()
		}
	}
	return out
}

// JSON decodes a string input holding JSON into v.
func (res Resource) JSON(path string, v any) error {
	s := res.Str(path)
	if s == "" {
		return fmt.Errorf("%s %s: no %s", res.Type, res.Name, path)
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("%s %s: %s: %w", res.Type, res.Name, path, err)
	}
	return nil
}
