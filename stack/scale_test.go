package stack_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/quota"
	"github.com/acme/secrets-platform/stack"
)

// The generated stack of the scale issue: 2,000 secrets of every kind and
// Go strategy and 200 workloads, its catalog in files beside the stack file.
const (
	scaleSecrets   = 2000
	scaleWorkloads = 200
	// maxConfigVariable is the most any one environment variable of the
	// program may hold: half Linux's 128 KiB per string.
	maxConfigVariable = 64 << 10
)

// scaleStack generates the stack from the committed prod stack.
func scaleStack(t testing.TB) mockrun.Stack {
	t.Helper()
	base, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	st, err := mockrun.ScaleStack(base, t.TempDir(), scaleSecrets, scaleWorkloads)
	require.NoError(t, err)
	return st
}

// loadConfig is the config as the program loads it (catalog files too).
func loadConfig(t *testing.T, st mockrun.Stack) config.Config {
	t.Helper()
	var cfg config.Config
	_, err := mockrun.RunProgram(st, func(ctx *pulumi.Context) error {
		var err error
		cfg, err = config.Load(ctx)
		return err
	})
	require.NoError(t, err)
	return cfg
}

// counted is what a recording holds of the quotas Usage counts.
type counted struct{ roles, reserved, rules, alarms, policies, maxTargets int }

func countRecorded(rec *mockrun.Recording) counted {
	var c counted
	c.roles = len(rec.OfType("aws:iam/role:Role"))
	for _, p := range rec.OfType("aws:iam/policy:Policy") {
		if rec.AccountOf(p) == rec.Account() {
			c.policies++
		}
	}
	for _, fn := range rec.OfType("aws:lambda/function:Function") {
		n, _ := fn.Int("reservedConcurrentExecutions")
		c.reserved += n
	}
	c.rules = len(rec.OfType("aws:cloudwatch/eventRule:EventRule"))
	c.alarms = len(rec.OfType("aws:cloudwatch/metricAlarm:MetricAlarm"))
	targets := map[string]int{}
	for _, tg := range rec.OfType("aws:cloudwatch/eventTarget:EventTarget") {
		targets[tg.Str("rule")]++
		c.maxTargets = max(c.maxTargets, targets[tg.Str("rule")])
	}
	return c
}

// recordedSizes are the largest documents of each limit in a recording,
// whitespace-free as AWS counts them.
func recordedSizes(t *testing.T, rec *mockrun.Recording) map[string]int {
	t.Helper()
	compact := func(doc string) int {
		var v any
		require.NoError(t, json.Unmarshal([]byte(doc), &v), "policy %s", doc)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return len(b)
	}
	out := map[string]int{}
	keep := func(limit string, n int) { out[limit] = max(out[limit], n) }
	inline := map[string]int{}
	for _, p := range rec.OfType("aws:iam/rolePolicy:RolePolicy") {
		inline[p.Str("role")] += compact(p.Str("policy"))
	}
	for _, n := range inline {
		keep(stack.LimitInlinePolicies, n)
	}
	for _, r := range rec.OfType("aws:iam/role:Role") {
		keep(stack.LimitTrustPolicy, compact(r.Str("assumeRolePolicy")))
	}
	for _, p := range rec.OfType("aws:iam/policy:Policy") {
		keep(stack.LimitManagedPolicy, compact(p.Str("policy")))
	}
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		keep(stack.LimitKeyPolicy, compact(k.Str("policy")))
	}
	for _, p := range rec.OfType("aws:secretsmanager/secretPolicy:SecretPolicy") {
		keep(stack.LimitSecretPolicy, compact(p.Str("policy")))
	}
	for _, fn := range rec.OfType("aws:lambda/function:Function") {
		env := 0
		if v, ok := fn.Input("environment.variables"); ok && v.IsObject() {
			for k, x := range v.ObjectValue() {
				env += len(string(k)) + len(mockrun.Plain(x).StringValue())
			}
		}
		keep(stack.LimitEnvironment, env)
	}
	for _, tg := range rec.OfType("aws:cloudwatch/eventTarget:EventTarget") {
		keep(stack.LimitTargetInput, len(tg.Str("input")))
	}
	for _, r := range rec.OfType("aws:cloudwatch/eventRule:EventRule") {
		if p := r.Str("eventPattern"); p != "" {
			keep(stack.LimitEventPattern, len(p))
		}
	}
	return out
}

// limits are AWS's, by the names Usage reports them under.
func limits() map[string]int {
	return map[string]int{
		stack.LimitInlinePolicies: quota.InlinePoliciesPerRole, stack.LimitManagedPolicy: quota.ManagedPolicy,
		stack.LimitTrustPolicy: quota.TrustPolicy, stack.LimitKeyPolicy: quota.KeyPolicy,
		stack.LimitSecretPolicy: quota.SecretResourcePolicy, stack.LimitEnvironment: quota.FunctionEnvironment,
		stack.LimitFunctionPolicy: quota.FunctionPolicy, stack.LimitTargetInput: quota.TargetInput,
		stack.LimitEventPattern: quota.EventPattern,
	}
}

// TestStacksFitAWSQuotas runs the committed stacks, the all-features
// variants and the generated stack of 2,000 secrets and 200 workloads the
// way Pulumi does, and checks each against AWS's quotas and limits: config
// small enough for one environment variable, at most 500 roles, 100
// reserved concurrency, 100 rules and 5 targets a rule, every document
// within its limit, every security rule held. Usage, which the program
// refuses config with, must count what the recording holds.
func TestStacksFitAWSQuotas(t *testing.T) {
	all := stacksAndVariants(t)
	names := slices.Sorted(maps.Keys(all))
	all["generated-2000"] = scaleStack(t)
	names = append(names, "generated-2000")
	for _, name := range names {
		st := all[name]
		t.Run(name, func(t *testing.T) {
			env, err := json.Marshal(st.Config)
			require.NoError(t, err)
			assert.Less(t, len(env), maxConfigVariable, "PULUMI_CONFIG would be %d bytes", len(env))

			rec, err := mockrun.Run(st, stack.Compose)
			require.NoError(t, err)
			for _, v := range rules.Check(rec) {
				t.Errorf("%s", v)
			}
			cfg := loadConfig(t, st)
			acct := iam.Account{ID: rec.Account(), Partition: "aws", Region: cfg.Region, DNSSuffix: "amazonaws.com"}
			u, err := stack.MeasureUsage(cfg, acct)
			require.NoError(t, err)
			require.Empty(t, u.Problems())

			got := countRecorded(rec)
			assert.Equal(t, u.Roles, got.roles, "roles: Usage counts %d, the stack registers %d", u.Roles, got.roles)
			assert.Equal(t, u.ReservedConcurrency, got.reserved, "reserved concurrency: Usage counts %d, the stack reserves %d", u.ReservedConcurrency, got.reserved)
			assert.Equal(t, u.Rules, got.rules, "EventBridge rules: Usage counts %d, the stack registers %d", u.Rules, got.rules)
			assert.Equal(t, u.ManagedPolicies, got.policies, "customer managed policies: Usage counts %d, the stack registers %d", u.ManagedPolicies, got.policies)
			assert.LessOrEqual(t, got.policies, quota.ManagedPoliciesPerStack)
			assert.Equal(t, u.Alarms, got.alarms, "alarms: Usage (and so the cost estimate) counts %d, the stack registers %d", u.Alarms, got.alarms)
			assert.LessOrEqual(t, got.roles, quota.RolesPerStack)
			assert.LessOrEqual(t, got.reserved, quota.ReservedConcurrencyPerStack)
			assert.LessOrEqual(t, got.rules, quota.RulesPerStack)
			assert.LessOrEqual(t, got.maxTargets, quota.TargetsPerRule)

			sizes := recordedSizes(t, rec)
			var report []string
			for _, limit := range slices.Sorted(maps.Keys(limits())) {
				max := limits()[limit]
				assert.LessOrEqual(t, sizes[limit], max, "the largest %s is %d characters, AWS allows %d", limit, sizes[limit], max)
				measured := u.Largest[limit]
				// Usage measures with ARNs of their real length: it may not
				// see a registered document larger than it measured.
				if limit != stack.LimitFunctionPolicy && sizes[limit] > 0 {
					assert.GreaterOrEqual(t, measured.Chars, sizes[limit], "%s: Usage measured %d, the stack writes %d", limit, measured.Chars, sizes[limit])
				}
				report = append(report, fmt.Sprintf("%s %d/%d (%s)", limit, measured.Chars, max, measured.Of))
			}
			// The dead-letter queue's policy admits the alert rules by ARN
			// and the sweeps and redeployers by pattern: it must not grow
			// with them.
			for _, p := range rec.OfType("aws:sqs/queuePolicy:QueuePolicy") {
				var v any
				require.NoError(t, json.Unmarshal([]byte(p.Str("policy")), &v))
				b, err := json.Marshal(v)
				require.NoError(t, err)
				assert.LessOrEqual(t, len(b), quota.QueuePolicy, "queue policy %s", p.Name)
			}
			t.Logf("figures %s: %d resources, %d roles, %d reserved concurrency, %d rules, %d rotation functions, %d alarms, PULUMI_CONFIG %d bytes; largest: %s",
				name, len(rec.Resources), got.roles, got.reserved, got.rules, u.RotatorGroups, got.alarms, len(env), strings.Join(report, "; "))
		})
	}
}

// BenchmarkGeneratedStackUnderMocks evaluates the program for the generated
// stack of 2,000 secrets and 200 workloads under the mocks, as the offline
// plan and every test of it do (target: under 5 s on the 2-core CI machine).
func BenchmarkGeneratedStackUnderMocks(b *testing.B) {
	st := scaleStack(b)
	for b.Loop() {
		rec, err := mockrun.Run(st, stack.Compose)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(rec.Resources)), "resources")
	}
}
