package stack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/stack"
)

// workloadOutput is one entry of the workloads output, the fields the
// workload types add.
type workloadOutput struct {
	RoleArn      string `json:"roleArn"`
	FunctionName string `json:"functionName"`
	LogGroupName string `json:"logGroupName"`
	Extension    *struct {
		LayerArn     string            `json:"layerArn"`
		Architecture string            `json:"architecture"`
		Environment  map[string]string `json:"environment"`
	} `json:"extension"`
	PodIdentityAssociationArn string `json:"podIdentityAssociationArn"`
	DatabaseNetwork           *struct {
		VpcID            string   `json:"vpcId"`
		SubnetIDs        []string `json:"subnetIds"`
		SecurityGroupIDs []string `json:"securityGroupIds"`
	} `json:"databaseNetwork"`
}

func variantRecording(t *testing.T, suffix string) *mockrun.Recording {
	t.Helper()
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	variants, err := mockrun.Variants(prod)
	require.NoError(t, err)
	i := slices.IndexFunc(variants, func(v mockrun.Stack) bool { return v.Name == "prod"+suffix })
	require.GreaterOrEqual(t, i, 0, "no variant %s", suffix)
	rec, err := mockrun.Run(variants[i], stack.Compose)
	require.NoError(t, err)
	return rec
}

func workloadsOf(t *testing.T, rec *mockrun.Recording) map[string]workloadOutput {
	t.Helper()
	var out map[string]workloadOutput
	accessDecodeOutput(t, rec, "workloads", &out)
	return out
}

// TestEveryWorkloadTypeUnderMocks runs the variant of prod that has every
// workload type and checks what each type adds: a function's log group, the
// extension's layer and environment, a pod's association, a service's
// redeployer, and the database's network for those that read its secret.
func TestEveryWorkloadTypeUnderMocks(t *testing.T) {
	rec := variantRecording(t, mockrun.VariantEverything)
	wls := workloadsOf(t, rec)

	t.Run("lambda", func(t *testing.T) {
		n := wls["notifier"]
		assert.Equal(t, "prod-notifier", n.FunctionName, "default function name, got/want")
		assert.Equal(t, "/aws/lambda/prod-notifier", n.LogGroupName)
		lg, ok := rec.Named("access-notifier-logs")
		require.True(t, ok, "the function's log group is the stack's")
		days, _ := lg.Int("retentionInDays")
		assert.Equal(t, 365, days, "strict retention, got/want")
		require.NotNil(t, n.Extension)
		assert.Equal(t, "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101", n.Extension.LayerArn)
		assert.Equal(t, map[string]string{"PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED": "TRUE", "SECRETS_MANAGER_TTL": "300",
			"SECRETS_MANAGER_TIMEOUT_MILLIS": "5000"}, n.Extension.Environment, "the extension's cache follows cache.ttl (5m)")
		assert.Nil(t, n.DatabaseNetwork, "a function that does not read the database stays out of its VPC")

		e := wls["exporter"]
		require.NotNil(t, e.Extension)
		assert.Equal(t, "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension:101", e.Extension.LayerArn, "x86_64 layer")
		require.NotNil(t, e.DatabaseNetwork, "a function that reads the database secret is told where to run")
		assert.Equal(t, []string{"sg-0a1b2c3d4e5f60718"}, e.DatabaseNetwork.SecurityGroupIDs, "the configured workload group of the existing VPC")
		logs := policyNamed(t, rec, "access-exporter-logs-policy")
		require.Len(t, logs.Statement, 2, "logs and, in the VPC, network interfaces")
		assert.Contains(t, logs.Statement[1].Action, "ec2:CreateNetworkInterface")
	})
	t.Run("eks", func(t *testing.T) {
		l := wls["ledger"]
		assert.Equal(t, "arn:aws:iam::111122223333:role/prod-ledger-pod", l.RoleArn)
		a, ok := rec.Named("access-ledger-pod-identity")
		require.True(t, ok)
		assert.Equal(t, a.StateStr("associationArn"), l.PodIdentityAssociationArn)
		assert.Equal(t, l.RoleArn, a.Str("roleArn"))
		trust := policyField(t, rec, "access-ledger-pod", "assumeRolePolicy").Statement[0]
		assert.Equal(t, iam.Strings{"arn:aws:eks:eu-west-1:111122223333:cluster/platform"}, trust.Condition["StringEquals"]["aws:RequestTag/eks-cluster-arn"])
	})
	t.Run("ecs redeployed after rotation", func(t *testing.T) {
		var rd map[string]struct {
			Service, StateMachineArn, RuleName string
			SecretArns                         []string
		}
		accessDecodeOutput(t, rec, "redeployers", &rd)
		require.Contains(t, rd, "worker")
		assert.NotContains(t, rd, "api", "api injects a manual secret only: nothing to redeploy for")
		w := rd["worker"]
		assert.Equal(t, "arn:aws:ecs:eu-west-1:111122223333:service/platform/worker", w.Service)
		assert.Equal(t, "prod-worker-redeploy", w.RuleName)
		require.Len(t, w.SecretArns, 1)
		assert.Contains(t, w.SecretArns[0], ":secret:/prod/app/session-key-")
		assert.Len(t, rec.OfType("aws:sfn/stateMachine:StateMachine"), 1)
	})
}

// TestWorkloadGroupsInAVPCTheStackCreates: in a VPC of the stack's own,
// every reader of the database secret gets a group that reaches the
// database and the endpoint, and the database and the endpoint admit it.
func TestWorkloadGroupsInAVPCTheStackCreates(t *testing.T) {
	for _, tc := range []struct {
		name    string
		rec     func(t *testing.T) *mockrun.Recording
		readers []string
	}{
		{"staging", func(t *testing.T) *mockrun.Recording { return loadAccessWorld(t, "staging").rec }, []string{"api", "reporting"}},
		{"prod+everything-own-vpc", func(t *testing.T) *mockrun.Recording { return variantRecording(t, mockrun.VariantEverythingOwnVPC) },
			[]string{"api", "reporting", "exporter", "ledger", "migrate"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := tc.rec(t)
			wls := workloadsOf(t, rec)
			dbGroup, ok := rec.Named("database-db-sg")
			require.True(t, ok)
			endpointGroup, ok := rec.Named("database-endpoint-sg")
			require.True(t, ok)
			for name, w := range wls {
				if !slices.Contains(tc.readers, name) {
					assert.Nil(t, w.DatabaseNetwork, "%s does not read the database secret", name)
					continue
				}
				g, ok := rec.Named("database-workload-" + name + "-sg")
				require.True(t, ok, "no group for %s", name)
				require.NotNil(t, w.DatabaseNetwork, "%s: databaseNetwork output", name)
				assert.Equal(t, []string{g.StateStr("id")}, w.DatabaseNetwork.SecurityGroupIDs, "%s: its own group, got/want", name)
				assert.NotEmpty(t, w.DatabaseNetwork.SubnetIDs)
				for rule, want := range map[string][3]string{
					"database-db-from-workload-" + name:          {"ingress", dbGroup.StateStr("id"), g.StateStr("id")},
					"database-workload-" + name + "-to-db":       {"egress", g.StateStr("id"), dbGroup.StateStr("id")},
					"database-endpoint-from-workload-" + name:    {"ingress", endpointGroup.StateStr("id"), g.StateStr("id")},
					"database-workload-" + name + "-to-endpoint": {"egress", g.StateStr("id"), endpointGroup.StateStr("id")},
				} {
					r, ok := rec.Named(rule)
					require.True(t, ok, "no rule %s", rule)
					assert.Equal(t, want, [3]string{r.Str("type"), r.Str("securityGroupId"), r.Str("sourceSecurityGroupId")}, "%s: type, group, peer", rule)
				}
			}
		})
	}
}

// TestProdInjectsAManualSecretWithoutARedeployer: prod's api injects
// /prod/app/stripe, which rotates only by hand, so the strict stack allows
// it and makes nothing to redeploy it.
func TestProdInjectsAManualSecretWithoutARedeployer(t *testing.T) {
	w := loadAccessWorld(t, "prod")
	require.Equal(t, []string{"/prod/app/stripe"}, w.cfg.Workloads[0].InjectAtStart)
	assert.Empty(t, w.rec.OfType("aws:sfn/stateMachine:StateMachine"))
	_, ok := w.rec.Outputs["redeployers"]
	assert.False(t, ok, "no redeployers output")
}

func policyField(t *testing.T, rec *mockrun.Recording, name, field string) iam.Document {
	t.Helper()
	r, ok := rec.Named(name)
	require.True(t, ok, "no resource %s", name)
	d, err := iam.Parse(r.Str(field))
	require.NoError(t, err)
	return d
}

func policyNamed(t *testing.T, rec *mockrun.Recording, name string) iam.Document {
	t.Helper()
	return policyField(t, rec, name, "policy")
}

// TestWorkloadConfigThatCannotWorkIsRefused: each config that would grant a
// workload what it cannot use fails with the key named, before anything is
// registered.
func TestWorkloadConfigThatCannotWorkIsRefused(t *testing.T) {
	prod, err := mockrun.LoadStack("..", "prod")
	require.NoError(t, err)
	staging, err := mockrun.LoadStack("..", "staging")
	require.NoError(t, err)
	workloads := func(st mockrun.Stack, edit func([]map[string]any)) mockrun.Stack {
		var wls []map[string]any
		require.NoError(t, json.Unmarshal([]byte(st.Config["secrets-platform:workloads"]), &wls))
		edit(wls)
		b, err := json.Marshal(wls)
		require.NoError(t, err)
		return st.With("workloads", string(b))
	}
	withoutGroups := func() mockrun.Stack {
		var db map[string]any
		require.NoError(t, json.Unmarshal([]byte(prod.Config["secrets-platform:database"]), &db))
		delete(db, "workloadSecurityGroupIds")
		b, err := json.Marshal(db)
		require.NoError(t, err)
		return prod.With("database", string(b))
	}
	tests := []struct {
		name string
		st   func() mockrun.Stack
		want []string
	}{
		{"database reader without a network path", withoutGroups,
			[]string{`workloads[0].secrets[0] = "/prod/app/database"`, "database.workloadSecurityGroupIds", "vpc-0a1b2c3d4e5f60700"}},
		{"rotated secret injected at start in a strict stack", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) {
				w[0]["injectAtStart"] = []string{"/prod/app/stripe", "/prod/app/encryption-key"}
			})
		}, []string{`workloads[0].injectAtStart[1] = "/prod/app/encryption-key"`, "workloads[0].ecs: {cluster, service}"}},
		{"a service to redeploy with nothing rotated injected", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) { w[0]["ecs"] = map[string]any{"cluster": "platform", "service": "api"} })
		}, []string{`workloads[0].ecs = "platform/api"`, "nothing to redeploy"}},
		{"ecs service on a lambda workload", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) { w[1]["ecs"] = map[string]any{"cluster": "platform", "service": "x"} })
		}, []string{`workloads[1].ecs = "(set)"`, "only for type ecs"}},
		{"eks workload without its service account", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) {
				w[1] = map[string]any{"name": "ledger", "type": "eks", "secrets": []string{"/prod/app/openai"}}
			})
		}, []string{`workloads[1].eks = "(unset)"`, "{cluster, namespace, serviceAccount}"}},
		{"eks namespace that Kubernetes refuses", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) {
				w[1] = map[string]any{"name": "ledger", "type": "eks", "secrets": []string{"/prod/app/openai"},
					"eks": map[string]any{"cluster": "platform", "namespace": "Payments_NS", "serviceAccount": "ledger"}}
			})
		}, []string{`workloads[1].eks.namespace = "Payments_NS"`, "a Kubernetes namespace"}},
		{"eks service account on an ecs workload", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) {
				w[0]["eks"] = map[string]any{"cluster": "platform", "namespace": "payments", "serviceAccount": "api"}
			})
		}, []string{`workloads[0].eks = "(set)"`, "only for type eks"}},
		{"function of another environment", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) { w[1]["functionName"] = "staging-notifier" })
		}, []string{`workloads[1].functionName = "staging-notifier"`, `starting with "prod-"`}},
		{"function name on an ecs workload", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) { w[0]["functionName"] = "prod-api" })
		}, []string{`workloads[0].functionName = "prod-api"`, "only for type lambda"}},
		{"architecture Lambda does not run", func() mockrun.Stack {
			return workloads(prod, func(w []map[string]any) { w[1]["architecture"] = "mips" })
		}, []string{`workloads[1].architecture = "mips"`, "arm64 x86_64"}},
		{"lambda workload in a region without the extension's layer in the table", func() mockrun.Stack {
			return staging.With("aws:region", "ap-east-2")
		}, []string{`aws:region = "ap-east-2"`, "Parameters and Secrets Lambda Extension", "lambda workloads [notifier]", "ps-integration-lambda-extensions"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mockrun.Run(tt.st(), stack.Compose)
			require.Error(t, err, "got no error, want the config refused")
			for _, w := range tt.want {
				assert.True(t, strings.Contains(err.Error(), w), "error, got %q, want it to contain %q", err.Error(), w)
			}
			assert.Empty(t, rec.Resources, "got %d resources registered, want none before config is valid", len(rec.Resources))
		})
	}
}
