package iam_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
)

const testPlatformKey = "arn:aws:kms:eu-west-1:111122223333:key/0000abcd-12ab-34cd-56ef-1234567890ab"

func lambdaArgs() *iam.WorkloadArgs {
	a := workloadArgs(iam.WorkloadLambda)
	a.FunctionName, a.LogRetentionDays, a.LogKeyArn = "prod-api-fn", 365, pulumi.String(testPlatformKey)
	return a
}

func eksArgs() *iam.WorkloadArgs {
	a := workloadArgs(iam.WorkloadEKS)
	a.ServiceAccount = &iam.ServiceAccount{Cluster: "platform", Namespace: "payments", Name: "api"}
	return a
}

// TestLambdaWorkloadWritesItsOwnLogGroupOnly: the log group exists with a
// retention period under the platform key, and the role's log statement
// names that group and its streams, nothing else.
func TestLambdaWorkloadWritesItsOwnLogGroupOnly(t *testing.T) {
	for _, inVPC := range []bool{false, true} {
		a := lambdaArgs()
		a.NetworkInterfaces = inVPC
		rec, err := runWorkload(t, a)
		require.NoError(t, err)
		lg, ok := rec.Named("access-api-logs")
		require.True(t, ok, "no log group")
		assert.Equal(t, "/aws/lambda/prod-api-fn", lg.Str("name"))
		days, _ := lg.Int("retentionInDays")
		assert.Equal(t, 365, days, "retention, got/want")
		assert.Equal(t, testPlatformKey, lg.Str("kmsKeyId"), "log group key, got/want the platform key")
		rp, ok := rec.Named("access-api-logs-policy")
		require.True(t, ok)
		assert.Equal(t, "prod-api-logs", rp.Str("name"))
		doc := policyOf(t, rec, "access-api-logs-policy")
		group := "arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/prod-api-fn"
		require.NotEmpty(t, doc.Statement)
		assert.Equal(t, iam.Strings{"logs:CreateLogStream", "logs:PutLogEvents"}, doc.Statement[0].Action)
		assert.Equal(t, iam.Strings{group, group + ":log-stream:*"}, doc.Statement[0].Resource)
		if inVPC {
			require.Len(t, doc.Statement, 2, "in a VPC the role also manages its network interfaces")
			assert.Contains(t, doc.Statement[1].Action, "ec2:CreateNetworkInterface")
			assert.Equal(t, iam.Strings{"*"}, doc.Statement[1].Resource, "network interface actions have no resource-level permissions")
		} else {
			assert.Len(t, doc.Statement, 1, "outside a VPC, logs only")
		}
		assert.Empty(t, rec.ManagedAttachments(), "no AWS managed policy: AWSLambdaVPCAccessExecutionRole would write every log group")
	}
}

// TestEKSPodIdentityTrust: the trust AWS documents for Pod Identity, scoped
// by the session tags to one cluster, namespace and service account, and an
// association that hands the role to exactly that service account.
func TestEKSPodIdentityTrust(t *testing.T) {
	rec, err := runWorkload(t, eksArgs())
	require.NoError(t, err)
	role, ok := rec.Named("access-api-pod")
	require.True(t, ok)
	trust, err := iam.Parse(role.Str("assumeRolePolicy"))
	require.NoError(t, err)
	require.Len(t, trust.Statement, 1)
	st := trust.Statement[0]
	assert.Equal(t, iam.Strings{"pods.eks.amazonaws.com"}, st.Principal.Service)
	assert.Equal(t, iam.Strings{"sts:AssumeRole", "sts:TagSession"}, st.Action)
	assert.Equal(t, iam.Conditions{"StringEquals": {
		"aws:RequestTag/eks-cluster-arn":            {"arn:aws:eks:eu-west-1:111122223333:cluster/platform"},
		"aws:RequestTag/kubernetes-namespace":       {"payments"},
		"aws:RequestTag/kubernetes-service-account": {"api"},
	}}, st.Condition)
	as, ok := rec.Named("access-api-pod-identity")
	require.True(t, ok)
	for field, want := range map[string]string{"clusterName": "platform", "namespace": "payments", "serviceAccount": "api",
		"roleArn": "arn:aws:iam::111122223333:role/prod-api-pod"} {
		assert.Equal(t, want, as.Str(field), "association %s, got/want", field)
	}
}
