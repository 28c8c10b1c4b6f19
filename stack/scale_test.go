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

// documents are a recording's documents per limit, by the name Usage
// measures each under (Size.Of), whitespace-free as AWS counts them.
type documents map[string]map[string]int

// add counts n more characters to a document (a role's inline policies
// add up).
func (d documents) add(limit, of string, n int) {
	if d[limit] == nil {
		d[limit] = map[string]int{}
	}
	d[limit][of] += n
}

// put keeps a document's size; the same document in several regions (a
// forwarder's rule) keeps the largest.
func (d documents) put(limit, of string, n int) {
	if d[limit] == nil {
		d[limit] = map[string]int{}
	}
	d[limit][of] = max(d[limit][of], n)
}

// recordedDocuments reads every document of a recording that has a size
// limit. Those whose size no config can change (the rotators' Lambda trust,
// a redeployer's two roles, which name one state machine and one service)
// go to fixed: Usage does not measure them.
func recordedDocuments(t *testing.T, rec *mockrun.Recording, env string) (measured, fixed documents) {
	t.Helper()
	compact := func(doc string) int {
		var v any
		require.NoError(t, json.Unmarshal([]byte(doc), &v), "policy %s", doc)
		b, err := json.Marshal(v)
		require.NoError(t, err)
		return len(b)
	}
	measured, fixed = documents{}, documents{}
	rotator := func(name string) bool { return strings.HasPrefix(name, env+"-rotate-") }
	for _, p := range rec.OfType("aws:iam/rolePolicy:RolePolicy") {
		role, n := p.Str("role"), compact(p.Str("policy"))
		switch {
		case strings.HasPrefix(p.Name, "redeploy-"):
			fixed.add(stack.LimitInlinePolicies, "role "+role, n)
		case strings.HasPrefix(p.Name, "sharing-") && strings.HasSuffix(p.Name, "-consumer"):
			measured.add(stack.LimitInlinePolicies, "consumer policy of "+strings.TrimSuffix(strings.TrimPrefix(p.Name, "sharing-"), "-consumer"), n)
		case rotator(role):
			measured.add(stack.LimitInlinePolicies, "rotator "+role, n)
		default:
			measured.add(stack.LimitInlinePolicies, "role "+role, n)
		}
	}
	for _, r := range rec.OfType("aws:iam/role:Role") {
		name, n := r.Str("name"), compact(r.Str("assumeRolePolicy"))
		if rotator(name) || strings.HasPrefix(r.Name, "redeploy-") {
			fixed.put(stack.LimitTrustPolicy, "role "+name, n)
			continue
		}
		measured.put(stack.LimitTrustPolicy, "role "+name, n)
	}
	for _, p := range rec.OfType("aws:iam/policy:Policy") {
		measured.put(stack.LimitManagedPolicy, "policy "+p.Str("name"), compact(p.Str("policy")))
	}
	for _, k := range rec.OfType(mockrun.TypeKMSKey) {
		of := map[string]string{"platform-key-key": "policy of the platform key", "secrets-key-key": "policy of the secrets key"}[k.Name]
		if of == "" {
			of = "policy of the secrets key in " + k.Region
		}
		measured.put(stack.LimitKeyPolicy, of, compact(k.Str("policy")))
	}
	for _, p := range rec.OfType("aws:secretsmanager/secretPolicy:SecretPolicy") {
		_, name, _ := strings.Cut(p.Str("secretArn"), ":secret:")
		measured.put(stack.LimitSecretPolicy, "resource policy of "+name[:len(name)-len("-AbCdEf")], compact(p.Str("policy")))
	}
	for _, fn := range rec.OfType("aws:lambda/function:Function") {
		env := 0
		if v, ok := fn.Input("environment.variables"); ok && v.IsObject() {
			for k, x := range v.ObjectValue() {
				env += len(string(k)) + len(mockrun.Plain(x).StringValue())
			}
		}
		measured.put(stack.LimitEnvironment, "rotator "+fn.Str("name"), env)
	}
	for _, tg := range rec.OfType("aws:cloudwatch/eventTarget:EventTarget") {
		if in := tg.Str("input"); in != "" {
			measured.put(stack.LimitTargetInput, "sweep of "+strings.TrimSuffix(tg.Str("rule"), "-sweep"), len(in))
		}
	}
	for _, r := range rec.OfType("aws:cloudwatch/eventRule:EventRule") {
		p, name := r.Str("eventPattern"), r.Str("name")
		switch {
		case p == "":
		case strings.HasPrefix(r.Name, "alerts-forward-"):
			measured.put(stack.LimitEventPattern, "forwarding rule "+name, len(p))
		case strings.HasPrefix(r.Name, "redeploy-"):
			measured.put(stack.LimitEventPattern, "redeploy rule of "+strings.TrimSuffix(strings.TrimPrefix(name, env+"-"), "-redeploy"), len(p))
		default:
			measured.put(stack.LimitEventPattern, "alert rule "+name, len(p))
		}
	}
	return measured, fixed
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
// refuses config with, must count what the recording holds and measure
// each document it writes at least as large as it is (a Lambda function's
// resource policy is AWS's sum of its permissions, which Usage estimates
// and the recording does not hold as one document).
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

			// Every document the stack writes is within its limit, and
			// Usage, which refuses config by them, measured each at least
			// as large as it is (with ARNs of their real length).
			docs, fixed := recordedDocuments(t, rec, cfg.Environment)
			checked := 0
			for limit, byName := range docs {
				for of, n := range byName {
					checked++
					assert.LessOrEqual(t, n, limits()[limit], "%s of %s is %d characters, AWS allows %d", limit, of, n, limits()[limit])
					m, ok := u.Measured(limit, of)
					if assert.True(t, ok, "Usage did not measure the %s of %s, which the stack writes", limit, of) {
						assert.GreaterOrEqual(t, m, n, "%s of %s: Usage measured %d, the stack writes %d", limit, of, m, n)
					}
				}
			}
			for limit, byName := range fixed {
				for of, n := range byName {
					assert.LessOrEqual(t, n, limits()[limit], "%s of %s is %d characters, AWS allows %d", limit, of, n, limits()[limit])
				}
			}
			require.Positive(t, checked)
			var report []string
			for _, limit := range slices.Sorted(maps.Keys(limits())) {
				measured := u.Largest[limit]
				report = append(report, fmt.Sprintf("%s %d/%d (%s)", limit, measured.Chars, limits()[limit], measured.Of))
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
