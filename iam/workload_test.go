package iam_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// testStack is a bare stack for running one component under the mocks.
var testStack = mockrun.Stack{Project: "secrets-platform", Name: "test", Config: map[string]string{
	"aws:region": "eu-west-1", "aws:allowedAccountIds": `["111122223333"]`,
}}

var testAccount = iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}

const testBoundary = "arn:aws:iam::111122223333:policy/secrets-platform-boundary/prod"

func workloadArgs(kind iam.WorkloadKind) *iam.WorkloadArgs {
	return &iam.WorkloadArgs{
		Kind: kind, Environment: "prod", RoleName: "prod-api",
		PermissionsBoundaryArn: iam.BoundaryARN(testAccount, "prod"),
		SecretArns:             pulumi.ToStringArray([]string{testSecret, testOther}),
		KeyArn:                 pulumi.String(testKey),
		Account:                testAccount,
	}
}

func runWorkload(t *testing.T, args *iam.WorkloadArgs) (*mockrun.Recording, error) {
	t.Helper()
	return mockrun.Run(testStack, func(ctx *pulumi.Context) (map[string]pulumi.Input, error) {
		w, err := iam.NewWorkload(ctx, "access-api", args)
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Input{
			"roleArn": w.RoleArn, "executionRoleArn": w.ExecutionRoleArn, "secretArns": w.SecretArns,
			"readPolicyArn": w.ReadPolicyArn, "attachCommand": w.AttachCommand,
			"logGroupName": w.LogGroupName, "podIdentityAssociationArn": w.PodIdentityAssociationArn,
		}, nil
	})
}

func policyOf(t *testing.T, rec *mockrun.Recording, name string) iam.Document {
	t.Helper()
	rp, ok := rec.Named(name)
	require.True(t, ok, "no resource %s", name)
	doc, err := iam.Parse(rp.Str("policy"))
	require.NoError(t, err)
	return doc
}

func TestWorkloadRoles(t *testing.T) {
	tests := []struct {
		name         string
		args         func() *iam.WorkloadArgs
		wantRoles    map[string]string // logical name -> role name
		wantPolicies map[string][]string
		wantRoleArn  string
		wantExec     string
		wantManaged  bool
		// wantOwned is the customer-managed read policy of an existing role,
		// by logical name.
		wantOwned string
		// wantLogs is a lambda workload's log group: its own inline policy
		// writes it.
		wantLogs string
		// wantAssociation is an eks workload's Pod Identity association.
		wantAssociation bool
	}{
		{
			name: "ecs injecting one secret at start",
			args: func() *iam.WorkloadArgs {
				a := workloadArgs(iam.WorkloadECS)
				a.InjectAtStartArns = pulumi.ToStringArray([]string{testSecret})
				return a
			},
			wantRoles:    map[string]string{"access-api-task": "prod-api-task", "access-api-execution": "prod-api-execution"},
			wantPolicies: map[string][]string{"access-api-task-read": {testOther, testSecret}, "access-api-execution-read": {testSecret}},
			wantRoleArn:  "arn:aws:iam::111122223333:role/prod-api-task",
			wantExec:     "arn:aws:iam::111122223333:role/prod-api-execution",
			wantManaged:  true,
		},
		{
			name:         "ecs reading only at run time",
			args:         func() *iam.WorkloadArgs { return workloadArgs(iam.WorkloadECS) },
			wantRoles:    map[string]string{"access-api-task": "prod-api-task"},
			wantPolicies: map[string][]string{"access-api-task-read": {testOther, testSecret}},
			wantRoleArn:  "arn:aws:iam::111122223333:role/prod-api-task",
		},
		{
			name:         "lambda",
			args:         lambdaArgs,
			wantRoles:    map[string]string{"access-api-lambda": "prod-api-lambda"},
			wantPolicies: map[string][]string{"access-api-lambda-read": {testOther, testSecret}},
			wantRoleArn:  "arn:aws:iam::111122223333:role/prod-api-lambda",
			wantLogs:     "/aws/lambda/prod-api-fn",
		},
		{
			name:            "eks",
			args:            eksArgs,
			wantRoles:       map[string]string{"access-api-pod": "prod-api-pod"},
			wantPolicies:    map[string][]string{"access-api-pod-read": {testOther, testSecret}},
			wantRoleArn:     "arn:aws:iam::111122223333:role/prod-api-pod",
			wantAssociation: true,
		},
		{
			name: "existing role",
			args: func() *iam.WorkloadArgs {
				a := workloadArgs(iam.WorkloadExistingRole)
				a.ExistingRoleARN = "arn:aws:iam::111122223333:role/batch/reporting-batch"
				return a
			},
			wantRoleArn: "arn:aws:iam::111122223333:role/batch/reporting-batch",
			wantOwned:   "access-api-read",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := runWorkload(t, tt.args())
			require.NoError(t, err)
			comp, ok := rec.Named("access-api")
			require.True(t, ok)
			assert.Equal(t, "secrets-platform:iam:Workload", comp.Type)

			roles := rec.OfType(mockrun.TypeRole)
			assert.Len(t, roles, len(tt.wantRoles), "roles, got/want")
			for logical, roleName := range tt.wantRoles {
				r, ok := rec.Named(logical)
				require.True(t, ok, "no role %s", logical)
				assert.Equal(t, roleName, r.Str("name"), "role name, got/want")
				assert.Equal(t, comp.URN, r.Parent, "role %s is a child of the workload", logical)
				assert.Equal(t, testBoundary, r.Str("permissionsBoundary"), "role %s carries the boundary, got/want", logical)
				trust, err := iam.Parse(r.Str("assumeRolePolicy"))
				require.NoError(t, err)
				// EKS Pod Identity's trust names the cluster (whose ARN holds
				// the account) by session tag instead (TestEKSPodIdentityTrust).
				if !tt.wantAssociation {
					assert.NotEmpty(t, trust.Statement[0].Condition["StringEquals"]["aws:SourceAccount"], "trust of %s has no aws:SourceAccount", logical)
				}
			}
			extra := 0
			if tt.wantLogs != "" {
				extra = 1
			}
			assert.Len(t, rec.OfType(mockrun.TypeRolePolicy), len(tt.wantPolicies)+extra, "inline policies, got/want")
			for logical, arns := range tt.wantPolicies {
				doc := policyOf(t, rec, logical)
				assert.Equal(t, iam.Strings(arns), doc.Statement[0].Resource, "%s reads, got/want", logical)
				rp, _ := rec.Named(logical)
				assert.True(t, strings.HasPrefix(rp.Str("name"), "prod-api-read-secrets"), "inline policy name %q", rp.Str("name"))
				assert.Equal(t, comp.URN, rp.Parent)
			}
			managed := rec.ManagedAttachments()
			assert.Equal(t, tt.wantManaged, len(managed) == 1, "managed attachments, got %v", managed)
			if tt.wantManaged {
				assert.Equal(t, "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy", managed[0].PolicyArn)
				assert.Equal(t, "prod-api-execution", managed[0].Role)
			}
			if tt.wantOwned == "" {
				assert.Empty(t, rec.OfType(mockrun.TypePolicy), "no customer-managed policy for a role made here")
				assert.Equal(t, "", rec.Outputs["readPolicyArn"].Value)
				assert.Equal(t, "", rec.Outputs["attachCommand"].Value)
			} else {
				// The existing role is never touched: no inline policy, no
				// attachment, only a policy of ours its owner attaches.
				for _, r := range rec.Resources {
					assert.NotContains(t, []string{mockrun.TypeRolePolicy, mockrun.TypeRolePolicyAttachment, mockrun.TypeRole}, r.Type, "%s %s changes a role", r.Type, r.Name)
				}
				p, ok := rec.Named(tt.wantOwned)
				require.True(t, ok, "no policy %s", tt.wantOwned)
				assert.Equal(t, mockrun.TypePolicy, p.Type)
				assert.Equal(t, "/secrets-platform/prod/", p.Str("path"), "policy path, got/want")
				assert.Equal(t, "prod-api-read-secrets", p.Str("name"))
				doc := policyOf(t, rec, tt.wantOwned)
				assert.Equal(t, iam.Strings{testOther, testSecret}, doc.Statement[0].Resource, "reads, got/want")
				arn := p.StateStr("arn")
				assert.Equal(t, arn, rec.Outputs["readPolicyArn"].Value)
				assert.Equal(t, "aws iam attach-role-policy --role-name reporting-batch --policy-arn "+arn, rec.Outputs["attachCommand"].Value)
			}
			assert.Equal(t, tt.wantLogs, rec.Outputs["logGroupName"].Value, "logGroupName output, got/want")
			assert.Len(t, rec.OfType("aws:cloudwatch/logGroup:LogGroup"), extra, "log groups: one for a lambda workload only")
			associations := rec.OfType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
			if assert.Equal(t, tt.wantAssociation, len(associations) == 1, "pod identity associations, got %d", len(associations)) && tt.wantAssociation {
				assert.Equal(t, associations[0].StateStr("associationArn"), rec.Outputs["podIdentityAssociationArn"].Value)
			} else {
				assert.Equal(t, "", rec.Outputs["podIdentityAssociationArn"].Value)
			}
			assert.Equal(t, tt.wantRoleArn, rec.Outputs["roleArn"].Value, "roleArn output, got/want")
			assert.Equal(t, tt.wantExec, rec.Outputs["executionRoleArn"].Value, "executionRoleArn output, got/want")
			assert.ElementsMatch(t, []string{testSecret, testOther}, rec.Outputs["secretArns"].Value, "secretArns output")
		})
	}
}

func TestWorkloadRefusesBadArgs(t *testing.T) {
	tests := []struct {
		name string
		edit func(*iam.WorkloadArgs)
		want string
	}{
		{"existing role in another account", func(a *iam.WorkloadArgs) {
			a.Kind, a.ExistingRoleARN = iam.WorkloadExistingRole, "arn:aws:iam::444455556666:role/app"
		}, "want a role in account 111122223333"},
		{"role ARN on an ecs workload", func(a *iam.WorkloadArgs) { a.ExistingRoleARN = "arn:aws:iam::111122223333:role/app" }, "only for kind role"},
		{"injection on lambda", func(a *iam.WorkloadArgs) {
			a.Kind, a.InjectAtStartArns = iam.WorkloadLambda, pulumi.ToStringArray([]string{testSecret})
		}, "only for kind ecs"},
		{"unknown kind", func(a *iam.WorkloadArgs) { a.Kind = "ec2" }, `kind "ec2"`},
		{"lambda without its function", func(a *iam.WorkloadArgs) { *a = *lambdaArgs(); a.FunctionName = "" }, "FunctionName"},
		{"lambda function of another environment", func(a *iam.WorkloadArgs) { *a = *lambdaArgs(); a.FunctionName = "staging-api" }, `starting with "prod-"`},
		{"lambda without a log key", func(a *iam.WorkloadArgs) { *a = *lambdaArgs(); a.LogKeyArn = nil }, "LogKeyArn"},
		{"function name on ecs", func(a *iam.WorkloadArgs) { a.FunctionName = "prod-api" }, "only for kind lambda"},
		{"eks without a service account", func(a *iam.WorkloadArgs) { *a = *eksArgs(); a.ServiceAccount.Namespace = "" }, "ServiceAccount with Cluster, Namespace and Name"},
		{"service account on ecs", func(a *iam.WorkloadArgs) { a.ServiceAccount = eksArgs().ServiceAccount }, "only for kind eks"},
		{"no secrets", func(a *iam.WorkloadArgs) { a.SecretArns = nil }, "SecretArns"},
		{"role name too long", func(a *iam.WorkloadArgs) { a.RoleName = "prod-" + strings.Repeat("x", 50) }, "at most 54 characters"},
		{"role name outside the environment", func(a *iam.WorkloadArgs) { a.RoleName = "api" }, `starting with "prod-"`},
		{"no environment", func(a *iam.WorkloadArgs) { a.Environment = "" }, "Environment"},
		{"no permissions boundary", func(a *iam.WorkloadArgs) { a.PermissionsBoundaryArn = "" }, "permissions boundary"},
		{"another boundary", func(a *iam.WorkloadArgs) {
			a.PermissionsBoundaryArn = "arn:aws:iam::111122223333:policy/AdministratorAccess"
		}, "want arn:aws:iam::111122223333:policy/secrets-platform-boundary/prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := workloadArgs(iam.WorkloadECS)
			tt.edit(a)
			rec, err := runWorkload(t, a)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want, "error, got/want substring")
			assert.False(t, slices.ContainsFunc(rec.Resources, func(r mockrun.Resource) bool { return r.Custom }),
				"bad args registered resources: %v", rec.CountByType())
		})
	}
}
