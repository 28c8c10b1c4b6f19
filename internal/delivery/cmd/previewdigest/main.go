// Command previewdigest reads `pulumi preview --json` on standard input.
//
// Without -reviewed it writes the preview's digest (JSON) to standard output
// and, with -markdown, the summary reviewers read. With -reviewed it compares
// the preview with the reviewed digest and exits 1, listing the differences,
// unless the two are identical. .github/workflows/stack-deploy.yml runs it.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"

	"github.com/acme/secrets-platform/internal/delivery"
)

func main() {
	commit := flag.String("commit", "", "git commit the preview ran on (required)")
	stack := flag.String("stack", os.Getenv("STACK"), "stack name, for the summary's title")
	markdown := flag.String("markdown", "", "write the reviewers' summary to this file")
	reviewed := flag.String("reviewed", "", "compare with this reviewed digest instead of writing one")
	flag.Parse()
	if err := run(*commit, *stack, *markdown, *reviewed); err != nil {
		fmt.Fprintln(os.Stderr, "previewdigest:", err)
		os.Exit(1)
	}
}

func run(commit, stack, markdown, reviewedPath string) error {
	d, err := delivery.ParsePreview(os.Stdin, commit)
	if err != nil {
		return err
	}
	if reviewedPath != "" {
		return compare(d, reviewedPath)
	}
	if markdown != "" {
		f, err := os.Create(markdown)
		if err != nil {
			return fmt.Errorf("create summary: %w", err)
		}
		if err := d.WriteMarkdown(f, stack); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return fmt.Errorf("close summary: %w", err)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return fmt.Errorf("write digest: %w", err)
	}
	return nil
}

func compare(d delivery.Digest, reviewedPath string) error {
	raw, err := os.ReadFile(reviewedPath)
	if err != nil {
		return fmt.Errorf("read reviewed digest: %w", err)
	}
	var reviewed delivery.Digest
	if err := json.Unmarshal(raw, &reviewed); err != nil {
		return fmt.Errorf("parse reviewed digest: %w", err)
	}
	diffs := d.Differences(reviewed)
	if len(diffs) == 0 {
		fmt.Printf("the preview matches the reviewed one: %d change(s) at %s\n", len(d.Changes), d.Commit)
		return nil
	}
	for _, line := range diffs {
		fmt.Println(line)
	}
	return fmt.Errorf("%d difference(s) from the reviewed preview: nothing applied; merge again or re-run the workflow to review the new preview", len(diffs))
}
