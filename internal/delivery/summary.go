package delivery

import (
	"fmt"
	"html"
	"io"
	"maps"
	"slices"
	"strings"
)

// maxSummaryInputs bounds the inputs printed per change: GitHub keeps at most
// 1 MiB of a step summary, and the full preview is in the run's artifact.
const maxSummaryInputs = 4000

// WriteMarkdown writes what reviewers read before they approve: the commit,
// the count per operation, and each change with its changed keys and new
// inputs. It shows the digest itself, so what is read is what is enforced.
func (d Digest) WriteMarkdown(w io.Writer, stack string) error {
	counts := map[string]int{}
	for _, c := range d.Changes {
		counts[c.Op]++
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## Preview of `%s` at `%s`\n\n", stack, d.Commit)
	if len(d.Changes) == 0 {
		b.WriteString("No changes.\n")
	} else {
		var parts []string
		for _, op := range slices.Sorted(maps.Keys(counts)) {
			parts = append(parts, fmt.Sprintf("%d %s", counts[op], op))
		}
		fmt.Fprintf(&b, "%s. The deploy applies exactly this, or stops.\n\n", strings.Join(parts, ", "))
		b.WriteString("| op | resource | changed keys |\n|---|---|---|\n")
		for _, c := range d.Changes {
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", c.Op, c.URN, changedKeys(c))
		}
		b.WriteString("\n<details><summary>New inputs per change (secrets blinded)</summary>\n\n")
		for _, c := range d.Changes {
			if len(c.Inputs) == 0 {
				continue
			}
			in := string(c.Inputs)
			if len(in) > maxSummaryInputs {
				in = in[:maxSummaryInputs] + " ... (truncated; see the reviewed-preview artifact)"
			}
			// Escaped into <pre>: a value cannot close a code fence and
			// write its own text into what reviewers read.
			fmt.Fprintf(&b, "<p><code>%s %s</code></p>\n<pre>%s</pre>\n", html.EscapeString(c.Op), html.EscapeString(c.URN), html.EscapeString(in))
		}
		b.WriteString("</details>\n")
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write preview summary: %w", err)
	}
	return nil
}

// changedKeys names the keys of a change, with their kind of diff.
func changedKeys(c Change) string {
	if len(c.DetailedDiff) > 0 {
		var ks []string
		for _, k := range slices.Sorted(maps.Keys(c.DetailedDiff)) {
			ks = append(ks, fmt.Sprintf("`%s` (%s)", k, c.DetailedDiff[k].Kind))
		}
		return strings.Join(ks, ", ")
	}
	keys := append(append([]string{}, c.ReplaceReasons...), c.DiffReasons...)
	if len(keys) == 0 {
		return ""
	}
	return "`" + strings.Join(keys, "`, `") + "`"
}
