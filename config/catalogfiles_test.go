package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func withFiles(r Raw, files map[string]string) Raw {
	r.Files, r.FileProblems = map[string][]byte{}, map[string]string{}
	for p, c := range files {
		r.Files[p] = []byte(c)
	}
	return r
}

func TestCatalogFilesAddTheirEntriesAfterTheStackFiles(t *testing.T) {
	r := withFiles(raw(map[string]string{
		"secrets-platform:secrets":      `[{"name":"/dev/app/a","description":"d","kind":"password"}]`,
		"secrets-platform:catalogFiles": `["catalog/app.yaml","catalog/more.yaml"]`,
	}), map[string]string{
		"catalog/app.yaml":  "secrets:\n  - name: /dev/app/b\n    description: d\n    kind: keyring\nworkloads:\n  - name: api\n    type: lambda\n    secrets: [/dev/app/a, /dev/app/b]\n",
		"catalog/more.yaml": "secrets:\n  - {name: /dev/billing/c, description: d, kind: password, rotation: {days: 7}}\n",
	})
	c, err := Parse(r)
	require.NoError(t, err)
	var names []string
	for _, s := range c.Secrets {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"/dev/app/a", "/dev/app/b", "/dev/billing/c"}, names, "the stack file's entries first, then each file's in order")
	assert.Equal(t, "catalog/app.yaml: secrets[0]", c.Secrets[1].Key)
	assert.Equal(t, 7, c.Secrets[2].Rotation.Days)
	require.Len(t, c.Workloads, 1)
	assert.Equal(t, "catalog/app.yaml: workloads[0]", c.Workloads[0].Key)
}

// TestCatalogFileProblemsNameTheFile: every problem of a file entry names the
// file and the entry, with the same checks and texts as the stack file's.
func TestCatalogFileProblemsNameTheFile(t *testing.T) {
	r := withFiles(raw(map[string]string{
		"secrets-platform:catalogFiles": `["catalog/app.yaml","catalog/bad.yaml","../outside.yaml","catalog/app.yaml","catalog/gone.yaml"]`,
	}), map[string]string{
		"catalog/app.yaml": "secrets:\n  - {name: /dev/app/b, description: d, kind: yaml}\n  - {name: /dev/app/c, description: d, kind: password, pasword: {length: 40}}\nsecret: []\n",
		"catalog/bad.yaml": "secrets: [unclosed\n",
	})
	r.FileProblems["catalog/gone.yaml"] = "open catalog/gone.yaml: no such file or directory"
	_, err := Parse(r)
	var cfgErr *Error
	require.True(t, errors.As(err, &cfgErr), "got %v, want a config error", err)
	got := map[string]string{}
	for _, p := range cfgErr.Problems {
		got[p.Key] = p.Allowed
	}
	for key, want := range map[string]string{
		"catalog/app.yaml: secrets[0].kind": "one of json, string, password, keyring, database",
		"catalog/app.yaml: secrets[1]":      "unknown field \"pasword\"",
		"catalog/app.yaml: secret":          "not a catalog file key",
		"secrets-platform:catalogFiles":     "a YAML file",
		"secrets-platform:catalogFiles[2]":  "a path inside the project directory",
		"secrets-platform:catalogFiles[3]":  "each file once",
		"secrets-platform:catalogFiles[4]":  "a readable file relative to the project directory",
	} {
		allowed, ok := got[key]
		if assert.True(t, ok, "no problem for %s; got %v", key, got) {
			assert.True(t, strings.Contains(allowed, want), "%s: got %q, want it to contain %q", key, allowed, want)
		}
	}
}
