package testenv

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// rootModule is the module path that marks the repository root. It is a
// constant, not state: nested modules (this one, secretcache) must not match.
const rootModule = "github.com/acme/secrets-platform"

// RepoRoot walks up from the working directory to the directory whose go.mod
// declares module github.com/acme/secrets-platform.
//
// Tests run with their package directory as the working directory, which may
// sit inside a nested module, so the nearest go.mod is not necessarily the root.
func RepoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("get working directory: %w", err)
	}
	for dir := wd; ; {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil && modulePath(data) == rootModule {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find repository root: no go.mod declaring module %s above %s", rootModule, wd)
		}
		dir = parent
	}
}

// modulePath returns the path from the module directive of a go.mod file, or
// "" when there is none.
func modulePath(gomod []byte) string {
	sc := bufio.NewScanner(bytes.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		rest, ok := strings.CutPrefix(line, "module")
		if !ok || rest == "" || (rest[0] != ' ' && rest[0] != '\t') {
			continue
		}
		if i := strings.Index(rest, "//"); i >= 0 {
			rest = rest[:i]
		}
		return strings.Trim(strings.TrimSpace(rest), `"`)
	}
	return ""
}
