package enginetest

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"

	"github.com/acme/secrets-platform/rotator/contract"
)

// SecretField is where a secret value sits in a checkpoint: never the value.
type SecretField struct {
	URN, Type string
	// Path is "inputs.<key>..." or "outputs.<key>...".
	Path string
}

func (f SecretField) String() string { return f.Type + " " + f.Path + " (" + f.URN + ")" }

// SecretFields lists every secret-marked value in a decrypted checkpoint
// (`pulumi stack export --show-secrets`), by resource and property path.
func SecretFields(d apitype.DeploymentV3) []SecretField {
	var out []SecretField
	walkSecrets(d, func(f SecretField, _ string) { out = append(out, f) })
	return out
}

// Secret is one decrypted secret of a checkpoint. Its Value is for searching
// places it must not appear; never print it (Field says where it is).
type Secret struct {
	Field SecretField
	Value string
}

// Secrets returns every secret-marked value in a decrypted checkpoint.
func Secrets(d apitype.DeploymentV3) []Secret {
	var out []Secret
	walkSecrets(d, func(f SecretField, plaintext string) { out = append(out, Secret{f, plaintext}) })
	return out
}

// NoLiveSecrets is SECURITY-RULES 17 on a decrypted checkpoint of a strict
// stack: Pulumi stores no live secret value, so anyone who can run a preview
// can read none. A secret-marked field that holds a placeholder first version
// (pulumi-aws marks every secretString secret) holds nothing live. It returns
// an error listing every field that holds a value (types and paths, never
// values), or nil.
func NoLiveSecrets(d apitype.DeploymentV3) error {
	var fields []SecretField
	walkSecrets(d, func(f SecretField, plaintext string) {
		if !contract.IsPlaceholder([]byte(plaintext)) {
			fields = append(fields, f)
		}
	})
	if len(fields) == 0 {
		return nil
	}
	lines := make([]string, len(fields))
	for i, f := range fields {
		lines[i] = "  - " + f.String()
	}
	return fmt.Errorf("the checkpoint holds %d secret value(s):\n%s", len(fields), strings.Join(lines, "\n"))
}

// walkSecrets calls fn for every decrypted secret in the resources' inputs
// and outputs. A secret with a ciphertext (not decrypted) has no plaintext
// and is reported with plaintext "".
func walkSecrets(d apitype.DeploymentV3, fn func(SecretField, string)) {
	for _, r := range d.Resources {
		for _, part := range []struct {
			name  string
			props map[string]any
		}{{"inputs", r.Inputs}, {"outputs", r.Outputs}} {
			for _, k := range sortedKeys(part.props) {
				walkValue(part.props[k], part.name+"."+k, func(path, plaintext string) {
					fn(SecretField{URN: string(r.URN), Type: string(r.Type), Path: path}, plaintext)
				})
			}
		}
	}
}

func walkValue(v any, path string, fn func(path, plaintext string)) {
	switch v := v.(type) {
	case map[string]any:
		if v[resource.SigKey] == resource.SecretSig {
			plaintext, _ := v["plaintext"].(string)
			// The plaintext is the secret's JSON encoding; a string secret's
			// value is the decoded string.
			var s string
			if err := json.Unmarshal([]byte(plaintext), &s); err == nil {
				plaintext = s
			}
			fn(path, plaintext)
			return
		}
		for _, k := range sortedKeys(v) {
			walkValue(v[k], path+"."+k, fn)
		}
	case []any:
		for i, x := range v {
			walkValue(x, fmt.Sprintf("%s[%d]", path, i), fn)
		}
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
