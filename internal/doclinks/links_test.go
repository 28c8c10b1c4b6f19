package doclinks_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/doclinks"
	"github.com/acme/secrets-platform/internal/testenv"
)

// skipped are directories that hold no project text: git's, installed
// packages and build outputs.
var skipped = map[string]bool{".git": true, "node_modules": true, "bin": true}

// repositoryFiles walks the repository and returns its files, relative.
func repositoryFiles(t *testing.T) (string, []string) {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	var out []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && skipped[d.Name()] {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() { // not a directory, nor a link out of the tree
			rel, err := filepath.Rel(root, path)
			if err != nil {
				return err
			}
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	require.NoError(t, err)
	return root, out
}

// TestRepositoryMarkdownLinksResolve: every relative link and anchor of
// every README and of every page under docs/ resolves inside the
// repository.
func TestRepositoryMarkdownLinksResolve(t *testing.T) {
	root, files := repositoryFiles(t)
	var docs []string
	links := 0
	for _, f := range files {
		if strings.HasSuffix(f, ".md") && (filepath.Base(f) == "README.md" || strings.HasPrefix(f, "docs/")) {
			docs = append(docs, f)
			b, err := os.ReadFile(filepath.Join(root, f))
			require.NoError(t, err)
			links += len(doclinks.Links(f, string(b)))
		}
	}
	require.Contains(t, docs, "README.md")
	require.Contains(t, docs, "docs/security-rules.md", "the security rules live in the repository")
	problems, err := doclinks.Check(root, docs)
	require.NoError(t, err)
	for _, p := range problems {
		t.Errorf("%s", p)
	}
	t.Logf("%d Markdown files, %d links, %d that do not resolve", len(docs), links, len(problems))
}

// TestNothingPointsOutsideTheRepository: no text file of the repository
// names a path that leaves it (a folder beside the clone that a user lacks).
func TestNothingPointsOutsideTheRepository(t *testing.T) {
	root, files := repositoryFiles(t)
	read := 0
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
			continue // binary
		}
		read++
		for _, p := range doclinks.Outside(f, string(b)) {
			t.Errorf("%s", p)
		}
	}
	assert.Greater(t, read, 100, "text files read, got/want more than")
}

// TestCheckFindsWhatDoesNotResolve runs the checker on a repository made for
// it: each kind of broken link is reported once, and nothing else.
func TestCheckFindsWhatDoesNotResolve(t *testing.T) {
	root := t.TempDir()
	write := func(rel, text string) {
		require.NoError(t, os.MkdirAll(filepath.Join(root, filepath.Dir(rel)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(root, rel), []byte(text), 0o644))
	}
	write("docs/guide.md", "# Guide\n\n## Access and sharing\n\n## Access and sharing\n\n<a name=\"explicit\"></a>\n")
	write("src/main.go", "package main\n")
	write("README.md", strings.Join([]string{
		"# Project",
		"[fine](docs/guide.md) [fine dir](src) [fine anchor](docs/guide.md#access-and-sharing-1) [explicit](docs/guide.md#explicit)",
		"[self](#project) ![image](docs/guide.md) [web](https://example.com/x) [mail](mailto:a@example.com) [code line](src/main.go#L1)",
		"[missing file](docs/nope.md)",
		"[missing anchor](docs/guide.md#nowhere)",
		"[missing own anchor](#nowhere)",
		"[escapes](../other/README.md)",
		"[absolute](/docs/guide.md)",
		"`[in a code span](docs/nope.md)`",
		"```",
		"[in a code block](docs/nope.md)",
		"```",
		"[ref]: docs/also-missing.md",
	}, "\n"))
	problems, err := doclinks.Check(root, []string{"README.md"})
	require.NoError(t, err)
	var got []string
	for _, p := range problems {
		got = append(got, p.Target)
	}
	assert.Equal(t, []string{"docs/nope.md", "docs/guide.md#nowhere", "#nowhere", "../other/README.md", "/docs/guide.md", "docs/also-missing.md"}, got, "reported links, got/want")

	outside := doclinks.Outside("README.md", "see ../other/RULES.md\nfine\n")
	require.Len(t, outside, 1)
	assert.Equal(t, 1, outside[0].Line)
	assert.Empty(t, doclinks.Outside("docs/guide.md", "see ../README.md and ../docs/x.md\n"), "a path that stays inside the repository")
	assert.Len(t, doclinks.Outside("docs/guide.md", "see ../../other/x.md\n"), 1, "a path two folders up from docs/")
}

func TestSlugIsGitHubs(t *testing.T) {
	for heading, want := range map[string]string{
		"Operations: plan, alerts, delivery, cost, runbooks": "operations-plan-alerts-delivery-cost-runbooks",
		"Add a secret":                       "add-a-secret",
		"`workloads[]` and the [docs](x.md)": "workloads-and-the-docs",
		"Lambda functions and the Parameters and Secrets Lambda Extension": "lambda-functions-and-the-parameters-and-secrets-lambda-extension",
		"D1. A rotator serves a group":                                     "d1-a-rotator-serves-a-group",
	} {
		assert.Equal(t, want, doclinks.Slug(heading), "slug of %q, got/want", heading)
	}
}
