package mockrun

import (
	"encoding/json"
	"fmt"
)

// WithPlaceholderSecrets supplies every secret config value the catalog
// names (valueConfigKey), as `pulumi config set --secret` would, with
// placeholders of the right shape for the secret's kind. Committed stacks hold
// no secret values, so tests that exercise the "value from config" path use this.
func (s Stack) WithPlaceholderSecrets() (Stack, error) {
	var entries []struct {
		Kind           string `json:"kind"`
		ValueConfigKey string `json:"valueConfigKey"`
	}
	if raw, ok := s.Config[s.Project+":secrets"]; ok {
		if err := json.Unmarshal([]byte(raw), &entries); err != nil {
			return s, fmt.Errorf("read secrets of stack %s: %w", s.Name, err)
		}
	}
	for _, e := range entries {
		if e.ValueConfigKey == "" {
			continue
		}
		v := "placeholder-" + e.ValueConfigKey + "-not-a-real-value"
		if e.Kind == "json" {
			v = fmt.Sprintf(`{"placeholder":%q}`, v)
		}
		s = s.WithSecret(e.ValueConfigKey, v)
	}
	return s, nil
}
