package stack_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// budgetSecrets appends n generated secrets named /prod/bulk/s<i>, each
// edited by shape.
func budgetSecrets(n int, shape func(i int, s map[string]any)) func([]map[string]any) []map[string]any {
	return func(es []map[string]any) []map[string]any {
		for i := range n {
			s := map[string]any{"name": fmt.Sprintf("/prod/bulk/s%04d", i), "description": "bulk", "kind": "password"}
			shape(i, s)
			es = append(es, s)
		}
		return es
	}
}

func bulkNames(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("/prod/bulk/s%04d", i)
	}
	return out
}

// TestStackThatWouldNotFitIsRefused: each config AWS would refuse halfway
// through a deploy is refused before anything is registered, naming the key
// that makes it too big and the limit.
func TestStackThatWouldNotFitIsRefused(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	withWorkloads := func(st mockrun.Stack, extra func(ws *[]map[string]any)) mockrun.Stack {
		return editJSON(t, st, "workloads", extra)
	}
	tests := []struct {
		name      string
		stack     func() mockrun.Stack
		key, want string
	}{
		{"a workload reading 70 secrets", func() mockrun.Stack {
			st := editSecrets(t, prod, budgetSecrets(70, func(int, map[string]any) {}))
			return withWorkloads(st, func(ws *[]map[string]any) {
				*ws = append(*ws, map[string]any{"name": "bulk", "type": "ecs", "secrets": bulkNames(70)})
			})
		}, "secrets-platform:workloads[3].secrets", "inline policies of a role of 17167 characters, AWS allows 10240; split"},
		{"an existing role's policy of 40 secrets", func() mockrun.Stack {
			st := editSecrets(t, prod, budgetSecrets(40, func(int, map[string]any) {}))
			return withWorkloads(st, func(ws *[]map[string]any) {
				*ws = append(*ws, map[string]any{"name": "bulk", "type": "role", "roleArn": "arn:aws:iam::111122223333:role/team-bulk", "secrets": bulkNames(40)})
			})
		}, "secrets-platform:workloads[3].secrets", "managed policy of 10057 characters, AWS allows 6144"},
		{"501 roles", func() mockrun.Stack {
			return withWorkloads(prod, func(ws *[]map[string]any) {
				for i := range 495 {
					*ws = append(*ws, map[string]any{"name": fmt.Sprintf("fn%03d", i), "type": "lambda", "secrets": []any{"/prod/app/openai"}})
				}
			})
		}, "secrets-platform:workloads", "IAM roles"},
		{"501 existing roles' read policies", func() mockrun.Stack {
			return withWorkloads(prod, func(ws *[]map[string]any) {
				for i := range 501 {
					*ws = append(*ws, map[string]any{"name": fmt.Sprintf("team%03d", i), "type": "role",
						"roleArn": fmt.Sprintf("arn:aws:iam::111122223333:role/team-%03d", i), "secrets": []any{"/prod/app/openai"}})
				}
			})
		}, "secrets-platform:workloads", "customer managed policies"},
		{"51 key rings that each retire another key", func() mockrun.Stack {
			return editSecrets(t, prod, budgetSecrets(51, func(i int, s map[string]any) {
				s["kind"], s["keyring"] = "keyring", map[string]any{"retireKeys": []any{fmt.Sprintf("k%d", i)}}
			}))
		}, "secrets-platform:secrets", "reserved Lambda concurrency"},
		{"95 redeployed services", func() mockrun.Stack {
			st := editSecrets(t, prod, budgetSecrets(1, func(_ int, s map[string]any) {
				s["kind"] = "string"
				s["rotation"] = map[string]any{"strategy": "random"}
			}))
			return withWorkloads(st, func(ws *[]map[string]any) {
				for i := range 95 {
					*ws = append(*ws, map[string]any{"name": fmt.Sprintf("svc%02d", i), "type": "ecs", "secrets": []any{"/prod/bulk/s0000"},
						"injectAtStart": []any{"/prod/bulk/s0000"}, "ecs": map[string]any{"cluster": "main", "service": fmt.Sprintf("svc%02d", i)}})
				}
			})
		}, "secrets-platform:secrets", "EventBridge rules on the default bus"},
		{"a service redeployed after 30 rotated secrets", func() mockrun.Stack {
			st := editSecrets(t, prod, budgetSecrets(30, func(_ int, s map[string]any) {
				s["kind"] = "string"
				s["rotation"] = map[string]any{"strategy": "random"}
			}))
			return withWorkloads(st, func(ws *[]map[string]any) {
				*ws = append(*ws, map[string]any{"name": "bulk", "type": "ecs", "secrets": bulkNames(30), "injectAtStart": bulkNames(30),
					"ecs": map[string]any{"cluster": "main", "service": "bulk"}})
			})
		}, "secrets-platform:workloads[3].injectAtStart", "EventBridge event pattern of 2583 characters, AWS allows 2048; inject fewer"},
		{"six more operator roles", func() mockrun.Stack {
			return editJSON(t, prod, "alerts", func(a *map[string]any) {
				roles, _ := (*a)["operatorRoleArns"].([]any)
				for i := range 6 {
					roles = append(roles, fmt.Sprintf("arn:aws:iam::111122223333:role/secrets-operator-team-%d", i))
				}
				(*a)["operatorRoleArns"] = roles
			})
		}, "secrets-platform:alerts.operatorRoleArns", "exceeds EventBridge's 2048"},
		{"a secret shared with 90 accounts", func() mockrun.Stack {
			return editJSON(t, prod, "crossAccount", func(ps *[]map[string]any) {
				for i := range 90 {
					*ps = append(*ps, map[string]any{"name": fmt.Sprintf("reader%02d", i), "accountId": fmt.Sprintf("5555%08d", i),
						"roleName": "reader", "secrets": []any{"/prod/integrations/twilio"}})
				}
			})
		}, "secrets-platform:crossAccount", "secret resource policy of 25598 characters, AWS allows 20480"},
		{"a key ring retiring 200 keys", func() mockrun.Stack {
			keys := make([]any, 200)
			for i := range keys {
				keys[i] = fmt.Sprintf("k20260101T000000Z-%08x", i)
			}
			return editSecrets(t, prod, budgetSecrets(1, func(_ int, s map[string]any) {
				s["kind"], s["keyring"] = "keyring", map[string]any{"maxKeys": 64, "retireKeys": keys}
			}))
		}, "secrets-platform:secrets[7]", "environment would be"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mockrun.Run(tt.stack(), stack.Compose)
			require.Error(t, err, "got the stack accepted, want it refused")
			msg := err.Error()
			assert.True(t, strings.Contains(msg, "  - "+tt.key+" = "), "got %v, want the key %s named", err, tt.key)
			assert.Contains(t, msg, tt.want)
			assert.Empty(t, rec.Resources, "got %d resources registered, want none", len(rec.Resources))
		})
	}
}
