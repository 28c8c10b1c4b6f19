package enginetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/encoding"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/config"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

// EditConfig changes the stack's Pulumi.<stack>.yaml as an operator editing
// it would. edit receives the plain (not secret) values by full key, objects
// and lists decoded, and changes, adds or deletes entries; secret values are
// kept as they are.
func (s *Stack) EditConfig(edit func(cfg map[string]any) error) error {
	proj, err := workspace.LoadProject(filepath.Join(s.dir, "Pulumi.yaml"))
	if err != nil {
		return fmt.Errorf("load Pulumi.yaml: %w", err)
	}
	ps, err := workspace.LoadProjectStack(nil, proj, s.StackFile())
	if err != nil {
		return fmt.Errorf("load %s: %w", s.StackFile(), err)
	}
	before := map[string]any{}
	keys := map[string]config.Key{}
	for k, v := range ps.Config {
		if v.Secure() {
			continue
		}
		keys[k.String()] = k
		if before[k.String()], err = plainValue(v); err != nil {
			return fmt.Errorf("read %s: %w", k, err)
		}
	}
	// A deep copy, so that edits inside lists and objects show as changes.
	var after map[string]any
	if b, err := json.Marshal(before); err != nil {
		return fmt.Errorf("copy config: %w", err)
	} else if err := json.Unmarshal(b, &after); err != nil {
		return fmt.Errorf("copy config: %w", err)
	}
	if err := edit(after); err != nil {
		return err
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			delete(ps.Config, keys[k])
		}
	}
	for k, v := range after {
		if old, ok := before[k]; ok && reflect.DeepEqual(old, v) {
			continue
		}
		key, err := config.ParseKey(k)
		if err != nil {
			return fmt.Errorf("config key %s: %w", k, err)
		}
		if str, ok := v.(string); ok {
			ps.Config[key] = config.NewValue(str)
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("encode %s: %w", k, err)
		}
		ps.Config[key] = config.NewObjectValue(string(b))
	}
	if err := ps.Save(s.StackFile()); err != nil {
		return fmt.Errorf("save %s: %w", s.StackFile(), err)
	}
	return nil
}

// plainValue decodes a plain config value: objects and lists through JSON
// (so numbers are float64, as in any JSON document), others as strings.
func plainValue(v config.Value) (any, error) {
	if v.Object() {
		s, err := v.Value(config.NewBlindingDecrypter())
		if err != nil {
			return nil, err
		}
		var x any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			return nil, err
		}
		return x, nil
	}
	return v.Value(config.NewBlindingDecrypter())
}

// MarkdownBlock returns the first fenced code block of language lang in the
// section of doc under heading (a line such as "## Add a stack"), with the
// indentation of its opening fence removed, so that the documentation itself
// is what a test runs.
func MarkdownBlock(doc []byte, heading, lang string) ([]byte, error) {
	lines := strings.Split(string(doc), "\n")
	level := heading[:strings.IndexByte(heading, ' ')+1]
	in, inBlock := false, false
	indent := ""
	var out bytes.Buffer
	for _, line := range lines {
		trimmed := strings.TrimSpace(line)
		switch {
		case inBlock && trimmed == "```":
			return out.Bytes(), nil
		case inBlock:
			out.WriteString(strings.TrimPrefix(line, indent) + "\n")
		case strings.TrimRight(line, " ") == heading:
			in = true
		case in && strings.HasPrefix(line, level):
			in = false
		case in && trimmed == "```"+lang:
			inBlock = true
			indent = line[:strings.Index(line, "```")]
		}
	}
	return nil, fmt.Errorf("no ```%s block under %q", lang, heading)
}

// DecodeYAML decodes a YAML document (a stack file, or a fragment such as a
// list entry) into plain Go values, with Pulumi's own YAML reader.
func DecodeYAML(b []byte) (any, error) {
	var v any
	if err := encoding.YAML.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("read YAML: %w", err)
	}
	// Through JSON, so that maps are map[string]any and numbers float64.
	j, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("read YAML: %w", err)
	}
	var out any
	if err := json.Unmarshal(j, &out); err != nil {
		return nil, fmt.Errorf("read YAML: %w", err)
	}
	return out, nil
}
