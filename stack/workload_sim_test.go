package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/testenv"
)

// workloadProbe is one simulator question about a workload's identities.
type workloadProbe struct {
	row  string
	req  testenv.IAMRequest
	want string
}

// identityDocs are the policies the recording puts on a role, in the
// simulator's form.
func identityDocs(t *testing.T, rec *mockrun.Recording, roleArn string) []json.RawMessage {
	t.Helper()
	docs, err := rec.PoliciesOfRole(rec.Account(), accessRoleNameOf(roleArn))
	require.NoError(t, err)
	require.NotEmpty(t, docs, "no policy on %s", roleArn)
	var out []json.RawMessage
	for _, d := range docs {
		out = append(out, accessSimDoc(t, d))
	}
	return out
}

// functionLogProbes: a lambda workload's role writes streams of its own log
// group and nothing else of CloudWatch Logs.
func functionLogProbes(t *testing.T, stackName string, rec *mockrun.Recording, workload string) []workloadProbe {
	wls := workloadsOf(t, rec)
	w := wls[workload]
	require.NotEmpty(t, w.LogGroupName, "%s %s has no log group", stackName, workload)
	region := iam.RegionOf(w.RoleArn)
	if region == "" {
		region = "eu-west-1"
	}
	acct := iam.Account{ID: rec.Account(), Partition: "aws", Region: region, DNSSuffix: "amazonaws.com"}
	own := iam.FunctionLogGroupARN(acct, w.FunctionName)
	stream := func(group string) string { return group + ":log-stream:2026/12/04/[$LATEST]0123456789abcdef" }
	identity := identityDocs(t, rec, w.RoleArn)
	var others []string
	for name, o := range wls {
		if name != workload && o.FunctionName != "" {
			others = append(others, iam.FunctionLogGroupARN(acct, o.FunctionName))
		}
	}
	for _, f := range rec.OfType(mockrun.TypeFunction) {
		others = append(others, iam.FunctionLogGroupARN(acct, f.StateStr("name"))) // the rotators'
	}
	require.NotEmpty(t, others)
	row := stackName + " " + workload + " (lambda)"
	probe := func(what, action, resource, want string) workloadProbe {
		return workloadProbe{row: row + ": " + what, want: want, req: testenv.IAMRequest{
			Name: fmt.Sprintf("%s %s %s", row, action, resource), Principal: w.RoleArn, Action: action, Resource: resource,
			ResourceAccount: acct.ID, IdentityPolicies: identity}}
	}
	out := []workloadProbe{
		probe("write own log group", "logs:CreateLogStream", stream(own), accessAllowed),
		probe("write own log group", "logs:PutLogEvents", stream(own), accessAllowed),
	}
	for _, a := range []string{"logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:AssociateKmsKey", "logs:DisassociateKmsKey", "logs:PutSubscriptionFilter"} {
		out = append(out, probe("manage own log group", a, own, accessDenied))
	}
	for _, a := range []string{"logs:GetLogEvents", "logs:DeleteLogStream"} {
		out = append(out, probe("read or delete own logs", a, stream(own), accessDenied))
	}
	for _, g := range others {
		out = append(out, probe("write another log group", "logs:CreateLogStream", stream(g), accessDenied),
			probe("write another log group", "logs:PutLogEvents", stream(g), accessDenied))
	}
	out = append(out, probe("write another log group", "logs:PutLogEvents", stream(acct.ARN("logs", "log-group:/aws/lambda/payments-worker")), accessDenied),
		probe("write another log group", "logs:CreateLogGroup", acct.ARN("logs", "log-group:/aws/lambda/"+w.FunctionName+"-2"), accessDenied))
	return out
}

// podTrustProbes: only EKS Pod Identity, for the one service account of the
// one cluster the config names, may assume an eks workload's role.
func podTrustProbes(t *testing.T, stackName string, rec *mockrun.Recording, workload, cluster, namespace, account string) []workloadProbe {
	w := workloadsOf(t, rec)[workload]
	r, ok := rec.Named("access-" + workload + "-pod")
	require.True(t, ok)
	trust, err := iam.Parse(r.Str("assumeRolePolicy"))
	require.NoError(t, err)
	trustDoc := accessSimDoc(t, trust)
	clusterARN := "arn:aws:eks:eu-west-1:" + account + ":cluster/" + cluster
	tags := func(cluster, ns, sa string) map[string]any {
		return map[string]any{"aws:RequestTag/eks-cluster-arn": cluster, "aws:RequestTag/kubernetes-namespace": ns,
			"aws:RequestTag/kubernetes-service-account": sa, "aws:TagKeys": []string{"eks-cluster-arn", "kubernetes-namespace", "kubernetes-service-account"}}
	}
	row := stackName + " " + workload + " (eks trust)"
	var out []workloadProbe
	probe := func(what, principal string, ctx map[string]any, want string) {
		for _, action := range []string{"sts:AssumeRole", "sts:TagSession"} {
			out = append(out, workloadProbe{row: row + ": " + what, want: want, req: testenv.IAMRequest{
				Name: fmt.Sprintf("%s %s by %s %v", row, action, principal, ctx), Principal: principal, Action: action, Resource: w.RoleArn,
				ResourceAccount: account, ResourcePolicy: trustDoc, Context: ctx}})
		}
	}
	probe("its service account", iam.EKSPodsService, tags(clusterARN, namespace, workload), accessAllowed)
	probe("another service account", iam.EKSPodsService, tags(clusterARN, namespace, "default"), accessDenied)
	probe("another namespace", iam.EKSPodsService, tags(clusterARN, "kube-system", workload), accessDenied)
	probe("another cluster", iam.EKSPodsService, tags(strings.Replace(clusterARN, "/"+cluster, "/sandbox", 1), namespace, workload), accessDenied)
	probe("a cluster of another account", iam.EKSPodsService, tags(strings.Replace(clusterARN, account, "444455556666", 1), namespace, workload), accessDenied)
	probe("session tags disabled", iam.EKSPodsService, map[string]any{}, accessDenied)
	probe("another service", iam.ECSTasksService, tags(clusterARN, namespace, workload), accessDenied)
	probe("another service", iam.LambdaService, tags(clusterARN, namespace, workload), accessDenied)
	return out
}

// redeployProbes: the state machine's role redeploys its one service, the
// rule's role starts its one state machine, and neither does anything else.
func redeployProbes(t *testing.T, stackName string, rec *mockrun.Recording, workload string) []workloadProbe {
	var rd map[string]struct{ Service, StateMachineArn string }
	accessDecodeOutput(t, rec, "redeployers", &rd)
	r := rd[workload]
	machine, trigger := "arn:aws:iam::"+rec.Account()+":role/prod-"+workload+"-redeploy", "arn:aws:iam::"+rec.Account()+":role/prod-"+workload+"-trigger"
	row := stackName + " " + workload + " (redeployer)"
	otherService := strings.Replace(r.Service, "/"+workload, "/payments", 1)
	otherMachine := strings.Replace(r.StateMachineArn, workload, "payments", 1)
	var out []workloadProbe
	probe := func(what, principal, action, resource, want string) {
		out = append(out, workloadProbe{row: row + ": " + what, want: want, req: testenv.IAMRequest{
			Name: fmt.Sprintf("%s %s %s", row, action, resource), Principal: principal, Action: action, Resource: resource,
			ResourceAccount: rec.Account(), IdentityPolicies: identityDocs(t, rec, principal)}})
	}
	probe("redeploy its service", machine, "ecs:UpdateService", r.Service, accessAllowed)
	probe("anything else", machine, "ecs:UpdateService", otherService, accessDenied)
	probe("anything else", machine, "ecs:DeleteService", r.Service, accessDenied)
	probe("anything else", machine, "ecs:RegisterTaskDefinition", "*", accessDenied)
	probe("start its state machine", trigger, "states:StartExecution", r.StateMachineArn, accessAllowed)
	probe("anything else", trigger, "states:StartExecution", otherMachine, accessDenied)
	probe("anything else", trigger, "ecs:UpdateService", r.Service, accessDenied)
	return out
}

// TestWorkloadIdentitiesWithIAMSimulator evaluates, with the policies the
// stacks register, what the new workload identities may do: a lambda
// workload's log writes (committed prod and staging, and a function in the
// database's VPC), an eks workload's trust, a redeployer's two roles.
func TestWorkloadIdentitiesWithIAMSimulator(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	var probes []workloadProbe
	for _, name := range []string{"prod", "staging"} {
		w := loadAccessWorld(t, name)
		probes = append(probes, functionLogProbes(t, name, w.rec, "notifier")...)
	}
	everything := variantRecording(t, mockrun.VariantEverything)
	probes = append(probes, functionLogProbes(t, "prod+everything", everything, "exporter")...)
	probes = append(probes, podTrustProbes(t, "prod+everything", everything, "ledger", "platform", "payments", everything.Account())...)
	probes = append(probes, redeployProbes(t, "prod+everything", everything, "worker")...)

	t.Log("\n" + evaluateProbes(t, sim, "workload identities", probes))
}

// evaluateProbes asks the simulator every probe, fails each wrong answer,
// and returns the summary table: per row, how many were allowed, denied and
// wrong.
func evaluateProbes(t *testing.T, sim *testenv.IAMSim, title string, probes []workloadProbe) string {
	t.Helper()
	reqs := make([]testenv.IAMRequest, len(probes))
	for i, p := range probes {
		reqs[i] = p.req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	decisions, err := sim.Evaluate(ctx, reqs)
	require.NoError(t, err)
	require.Len(t, decisions, len(probes))
	type tally struct{ allowed, denied, wrong int }
	rows := map[string]*tally{}
	wrong := 0
	for i, d := range decisions {
		p := probes[i]
		if rows[p.row] == nil {
			rows[p.row] = &tally{}
		}
		require.Empty(t, d.Error, "%s: simulator error", p.req.Name)
		require.Empty(t, d.IgnoredContextKeys, "%s: the simulator ignored context keys", p.req.Name)
		if d.Result == accessAllowed {
			rows[p.row].allowed++
		} else {
			rows[p.row].denied++
		}
		if !assert.Equal(t, p.want, d.Result, "%s: got/want", p.req.Name) {
			rows[p.row].wrong++
			wrong++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d decisions by the IAM simulator, %d wrong\n%-72s %8s %8s %6s\n", title, len(decisions), wrong, "identity: probe", "allowed", "denied", "wrong")
	for _, row := range slices.Sorted(maps.Keys(rows)) {
		tl := rows[row]
		fmt.Fprintf(&b, "%-72s %8d %8d %6d\n", row, tl.allowed, tl.denied, tl.wrong)
	}
	return b.String()
}
