package config

import (
	"encoding/json"
	"os"

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
	// Value keys are named by the catalog; read them once the catalog is known.
	var entries []rawSecret
	if err := json.Unmarshal([]byte(raw.Values[key("secrets")]), &entries); err == nil {
		for _, e := range entries {
			if e.ValueConfigKey == "" {
				continue
			}
			k := key(e.ValueConfigKey)
			if v, ok := ctx.GetConfig(k); ok {
				raw.Values[k] = v
				raw.Secret[k] = ctx.IsConfigSecret(k)
			}
		}
	}
	return Parse(raw)
}
