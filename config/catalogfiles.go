package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Catalog files hold secrets and workloads beside the stack file, so that a
// large catalog does not travel in PULUMI_CONFIG, the one environment
// variable through which Pulumi hands a program its whole config (Linux caps
// one variable at 128 KiB). A stack lists them under catalogFiles, paths
// relative to the project directory; each is YAML with a secrets list, a
// workloads list or both, in the shape the stack keys take. Their entries
// follow the stack file's own, are validated the same way, and their problems
// name the file.

// entry is one list entry with the key its problems are reported under.
type entry[T any] struct {
	key string
	v   T
}

// listEntries returns the entries of the list key name: the stack file's
// first, then each catalog file's in order.
func listEntries[T any](raw Raw, name string, ps *problems) []entry[T] {
	var out []entry[T]
	var inline []T
	decodeKey(raw, name, &inline, ps)
	for i, v := range inline {
		out = append(out, entry[T]{key: fmt.Sprintf("%s[%d]", key(name), i), v: v})
	}
	for _, path := range raw.CatalogFiles {
		list, ok := catalogFile(raw, path, ps)[name]
		if !ok {
			continue
		}
		var items []json.RawMessage
		if err := json.Unmarshal(list, &items); err != nil {
			ps.add(path+": "+name, "(file)", "a list of %s entries", name)
			continue
		}
		for i, item := range items {
			k := fmt.Sprintf("%s: %s[%d]", path, name, i)
			var v T
			dec := json.NewDecoder(bytes.NewReader(item))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&v); err != nil {
				ps.add(k, "(entry)", "an entry of the documented shape: %v", err)
				continue
			}
			out = append(out, entry[T]{key: k, v: v})
		}
	}
	return out
}

// catalogFileKeys are the lists a catalog file may hold.
func catalogFileKeys() []string { return []string{"secrets", "workloads"} }

// catalogFile decodes one file into its lists as JSON. A file that is
// missing, malformed or holds another key is a problem, reported once.
func catalogFile(raw Raw, path string, ps *problems) map[string]json.RawMessage {
	content, ok := raw.Files[path]
	if !ok {
		return nil // Load reported it
	}
	var doc map[string]any
	if err := yaml.Unmarshal(content, &doc); err != nil {
		if raw.firstReport(path) {
			ps.add(key("catalogFiles"), path, "a YAML file with a secrets list, a workloads list or both: %v", err)
		}
		return nil
	}
	out := map[string]json.RawMessage{}
	for _, k := range slices.Sorted(maps.Keys(doc)) {
		if !slices.Contains(catalogFileKeys(), k) {
			if raw.firstReport(path + "#" + k) {
				ps.add(path+": "+k, "(set)", "not a catalog file key; a catalog file holds %s", strings.Join(catalogFileKeys(), ", "))
			}
			continue
		}
		b, err := json.Marshal(doc[k])
		if err != nil {
			ps.add(path+": "+k, "(set)", "a list: %v", err)
			continue
		}
		out[k] = b
	}
	return out
}

// firstReport reports whether a file problem is new, and remembers it: each
// list of a file is read separately, its problems are reported once.
func (r Raw) firstReport(what string) bool {
	if r.reported == nil || r.reported[what] {
		return r.reported == nil
	}
	r.reported[what] = true
	return true
}

// checkCatalogFiles refuses paths that leave the project directory or repeat,
// and returns the others.
func checkCatalogFiles(paths []string, ps *problems) []string {
	seen := map[string]bool{}
	var ok []string
	for i, p := range paths {
		clean := filepath.Clean(p)
		switch {
		case filepath.IsAbs(p) || clean == ".." || strings.HasPrefix(clean, "../"):
			ps.add(fmt.Sprintf("%s[%d]", key("catalogFiles"), i), p, "a path inside the project directory, e.g. catalog/%s.yaml", "prod")
		case seen[clean]:
			ps.add(fmt.Sprintf("%s[%d]", key("catalogFiles"), i), p, "each file once")
		default:
			ok = append(ok, p)
		}
		seen[clean] = true
	}
	return ok
}
