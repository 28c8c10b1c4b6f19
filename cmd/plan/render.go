package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// writeJSON prints the plan (or its policies) as indented JSON; map keys are
// sorted by encoding/json, so the bytes are stable.
func writeJSON(w io.Writer, p Plan, section string) error {
	var v any = p
	if section == "policies" {
		v = struct {
			Stack    string   `json:"stack"`
			Policies []Policy `json:"policies"`
		}{p.Stack, p.Policies}
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

// writeMarkdown prints the plan for people: a summary, the resources by
// component, every policy document, and the stack outputs.
func writeMarkdown(w io.Writer, p Plan, section string) error {
	var b strings.Builder
	mode := "strict"
	if !p.Strict {
		mode = "disposable"
	}
	if section == "policies" {
		fmt.Fprintf(&b, "## Policies of stack `%s` (%d documents)\n\n", p.Stack, len(p.Policies))
		if err := writePolicies(&b, p.Policies, "###"); err != nil {
			return err
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "# Offline plan of stack `%s` (%s)\n\n", p.Stack, mode)
	fmt.Fprintf(&b, "The program `pulumi up` runs, run under mocks with `Pulumi.%s.yaml`: no AWS account is used. Ids and ARNs are stable stand-ins; secret values print as `%s`.\n\n", p.Stack, Redacted)
	b.WriteString("## Summary\n\n| resource type | count |\n|---|---:|\n")
	total := 0
	for _, t := range slices.Sorted(maps.Keys(p.Counts)) {
		fmt.Fprintf(&b, "| `%s` | %d |\n", t, p.Counts[t])
		total += p.Counts[t]
	}
	fmt.Fprintf(&b, "| **total** | **%d** |\n\n", total)

	b.WriteString("## Resources by component\n\n")
	for _, g := range p.Components {
		fmt.Fprintf(&b, "### %s (`%s`)\n\n", g.Path, g.Type)
		for _, r := range g.Resources {
			flags := ""
			if r.Protect {
				flags += " protected"
			}
			if len(r.IgnoreChanges) > 0 {
				flags += " ignoreChanges=" + strings.Join(r.IgnoreChanges, ",")
			}
			fmt.Fprintf(&b, "- `%s` **%s**%s\n", r.Type, r.Name, flags)
			for _, k := range slices.Sorted(maps.Keys(r.Settings)) {
				fmt.Fprintf(&b, "  - %s: %s\n", k, inline(r.Settings[k]))
			}
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "## Policies (%d documents)\n\n", len(p.Policies))
	if err := writePolicies(&b, p.Policies, "###"); err != nil {
		return err
	}
	b.WriteString("## Stack outputs\n\n")
	for _, k := range slices.Sorted(maps.Keys(p.Outputs)) {
		out, err := json.MarshalIndent(p.Outputs[k], "", "  ")
		if err != nil {
			return fmt.Errorf("write output %s: %w", k, err)
		}
		fmt.Fprintf(&b, "### %s\n\n```json\n%s\n```\n\n", k, out)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writePolicies(b *strings.Builder, ps []Policy, heading string) error {
	for _, pol := range ps {
		var buf bytes.Buffer
		if err := json.Indent(&buf, pol.Document, "", "  "); err != nil {
			return fmt.Errorf("indent policy %s of %s: %w", pol.Input, pol.Resource, err)
		}
		fmt.Fprintf(b, "%s %s `%s` (`%s`)\n\n```json\n%s\n```\n\n", heading, pol.Resource, pol.Input, pol.Type, buf.String())
	}
	return nil
}

// inline prints a setting on one line: strings bare, everything else as JSON.
func inline(v any) string {
	if s, ok := v.(string); ok {
		return "`" + strings.ReplaceAll(s, "`", "'") + "`"
	}
	out, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return "`" + string(out) + "`"
}
