// Command plan prints, without a cloud account, everything `pulumi up` would
// create for a stack.
//
// It runs the same stack.Compose under the mocks harness with the stack's
// committed config, then prints every resource grouped by its component with
// its settings, and every policy document in full.
//
//	go run ./cmd/plan --stack prod            # Markdown
//	go run ./cmd/plan --stack prod --json     # JSON
//	go run ./cmd/plan --stack prod --section policies
//
// Ids and ARNs in the output are the mocks' stable stand-ins, so two commits'
// plans can be diffed. Secret-marked values print as [secret].
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/rotation/artifact"
	"github.com/acme/secrets-platform/stack"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	name := fs.String("stack", "", "the stack to plan: Pulumi.<stack>.yaml (required)")
	asJSON := fs.Bool("json", false, "print JSON instead of Markdown")
	section := fs.String("section", "all", "all, or policies (only the policy documents, for pull-request comments)")
	dir := fs.String("dir", "", "the project directory holding Pulumi.yaml (default: found from the working directory upward)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *name == "" || (*section != "all" && *section != "policies") {
		fmt.Fprintln(stderr, "usage: plan --stack <name> [--json] [--section all|policies] [--dir <project dir>]")
		return 2
	}
	if *dir == "" {
		found, err := projectDir()
		if err != nil {
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		*dir = found
	}
	p, err := planStack(*dir, *name)
	if err != nil {
		// Print the config error as pulumi up does, without the mocks
		// runner's "1 error occurred" wrapping.
		var cfgErr *config.Error
		if errors.As(err, &cfgErr) {
			err = cfgErr
		}
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	if *asJSON {
		err = writeJSON(stdout, p, *section)
	} else {
		err = writeMarkdown(stdout, p, *section)
	}
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0
}

// planStack runs the program for a committed stack and builds its plan.
func planStack(dir, name string) (Plan, error) {
	st, err := mockrun.LoadStack(dir, name)
	if err != nil {
		return Plan{}, err
	}
	if len(st.Secure) > 0 {
		// Encrypted values need the stack's secrets provider; the plan runs
		// without credentials and plans as if they were unset.
		for _, k := range st.Secure {
			delete(st.Config, k)
		}
	}
	rec, err := mockrun.Run(st, stack.Compose)
	if err != nil {
		return Plan{}, err
	}
	return build(rec)
}

// projectDir is the root module's directory, where Pulumi.yaml lives
// (bootstrap/ has its own Pulumi.yaml but is not the root module).
func projectDir() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find the project: %w", err)
	}
	root, err := artifact.ModuleRoot(wd)
	if err != nil {
		return "", fmt.Errorf("find the project: %w; pass --dir", err)
	}
	return root, nil
}
