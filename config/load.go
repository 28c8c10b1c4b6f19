package config

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// Load reads the stack's config from the Pulumi context and parses it.
//
// The Go SDK can look a key up but not list keys, so the key list comes from
// PULUMI_CONFIG, the variable through which the engine hands every program its
// config (the mocks harness sets it the same way); without it only the known
// keys are read and misspelt keys go unnoticed.
func Load(ctx *pulumi.Context) (Config, error) {
	raw := Raw{Stack: ctx.Stack(), Values: map[string]string{}, Secret: map[string]bool{}}
	keys := []string{"aws:region"}
	for _, k := range knownKeys {
		keys = append(keys, key(k))
	}
	var all map[string]string
	if err := json.Unmarshal([]byte(os.Getenv(pulumi.EnvConfig)), &all); err == nil {
		for k := range all {
			keys = append(keys, k)
		}
	}
	for _, k := range keys {
		if v, ok := ctx.GetConfig(k); ok {
			raw.Values[k] = v
			raw.Secret[k] = ctx.IsConfigSecret(k)
		}
	}
	readCatalogFiles(&raw, projectDir(ctx))
	// Value keys are named by the catalog; read them once the catalog is known.
	for _, e := range listEntries[rawSecret](raw, "secrets", &problems{}) {
		if e.v.ValueConfigKey == "" {
			continue
		}
		k := key(e.v.ValueConfigKey)
		if v, ok := ctx.GetConfig(k); ok {
			raw.Values[k] = v
			raw.Secret[k] = ctx.IsConfigSecret(k)
		}
	}
	return Parse(raw)
}

// projectDir is where Pulumi.yaml is: the engine tells the program; a run
// without it (a test) uses the working directory.
func projectDir(ctx *pulumi.Context) string {
	if d := ctx.RootDirectory(); d != "" {
		return d
	}
	wd, _ := os.Getwd()
	return wd
}

// readCatalogFiles reads the files catalogFiles lists, relative to dir;
// Parse validates the list and reports a file that could not be read.
func readCatalogFiles(raw *Raw, dir string) {
	var paths []string
	if err := json.Unmarshal([]byte(raw.Values[key("catalogFiles")]), &paths); err != nil {
		return
	}
	raw.CatalogFiles, raw.Files, raw.FileProblems = paths, map[string][]byte{}, map[string]string{}
	for _, p := range paths {
		b, err := os.ReadFile(filepath.Join(dir, filepath.Clean(p)))
		if err != nil {
			raw.FileProblems[p] = err.Error()
			continue
		}
		raw.Files[p] = b
	}
}
