package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secrets"
)

// attempt is one privilege-escalation attempt: the method it tries, from
// Rhino Security Labs' "AWS IAM Privilege Escalation – Methods and
// Mitigations" (methods 1-21) or from issue 12's list, and a request the
// IAM simulator must deny.
type attempt struct {
	method string
	req    testenv.IAMRequest
	// want is the denial expected: explicit where a deny statement names the
	// attempt, implicit where nothing allows it.
	want string
}

// escalationWorld is one account's roles, policies and neighbours.
type escalationWorld struct {
	a                    iam.Account
	env                  string
	deploy, preview      string
	deployDocs           []json.RawMessage
	previewDoc           json.RawMessage
	boundary, stackRole  string
	stackKey, stackKeyPl string
	keyPolicy            json.RawMessage
	foreignKeyPolicy     json.RawMessage
	ours, theirs         map[string]any
}

func newEscalationWorld(t *testing.T) escalationWorld {
	a := iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
	s := settings{AppEnvironment: "prod", AppStack: "prod", Backend: "s3", BucketName: "acme-secrets-platform-state-111122223333"}
	m := mainStack{acct: a, settings: s}
	w := escalationWorld{a: a, env: "prod",
		deploy: a.GlobalARN("iam", "role/"+deployRoleName), preview: a.GlobalARN("iam", "role/"+previewRoleName),
		deployDocs: m.deployDocs(t), previewDoc: m.previewDoc(t),
		boundary: iam.BoundaryARN(a, "prod"), stackRole: a.GlobalARN("iam", "role/prod-rotate-app-database"),
		stackKey: a.ARN("kms", "key/1234abcd-12ab-34cd-56ef-1234567890ab"),
		ours:     map[string]any{"aws:ResourceTag/Environment": "prod", "aws:ResourceTag/PulumiStack": "prod"},
		theirs:   map[string]any{"aws:ResourceTag/Environment": "prod", "aws:ResourceTag/Team": "payments"},
	}
	w.keyPolicy = simJSON(t, secrets.KeyPolicy(secrets.KeyPolicyArgs{Account: a, AdminRoleARNs: []string{w.deploy}}))
	// Another team's key with AWS's default key policy: the account's IAM decides everything.
	w.foreignKeyPolicy = simJSON(t, iam.New(iam.Statement{Sid: "EnableIAMUserPermissions", Effect: iam.Allow,
		Principal: &iam.Principal{AWS: iam.Strings{a.Root()}}, Action: iam.Strings{"kms:*"}, Resource: iam.Strings{"*"}}))
	return w
}

func (w escalationWorld) byDeploy(method, action, resource string, ctx map[string]any, want string) attempt {
	return attempt{method: method, want: want, req: testenv.IAMRequest{Principal: w.deploy, Action: action, Resource: resource,
		ResourceAccount: w.a.ID, IdentityPolicies: w.deployDocs, Context: ctx}}
}

func (w escalationWorld) byPreview(method, action, resource string, ctx map[string]any, want string) attempt {
	return attempt{method: method, want: want, req: testenv.IAMRequest{Principal: w.preview, Action: action, Resource: resource,
		ResourceAccount: w.a.ID, IdentityPolicies: []json.RawMessage{w.previewDoc}, Context: ctx}}
}

func onKey(at attempt, policy json.RawMessage) attempt {
	at.req.ResourcePolicy = policy
	return at
}

func with(ctx map[string]any, more map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range ctx {
		out[k] = v
	}
	for k, v := range more {
		out[k] = v
	}
	return out
}

// deployAttempts: what a stolen deploy-role session tries.
func (w escalationWorld) deployAttempts() []attempt {
	a := w.a
	role := func(name string) string { return a.GlobalARN("iam", "role/"+name) }
	admin := iam.AWSManagedPolicyARN("aws", "AdministratorAccess")
	bounded := map[string]any{"iam:PermissionsBoundary": w.boundary}
	tagsOurs := map[string]any{"aws:RequestTag/Environment": "prod", "aws:RequestTag/PulumiStack": "prod", "aws:TagKeys": []string{"Environment", "PulumiStack"}}
	return []attempt{
		w.byDeploy("Rhino 1: CreatePolicyVersion of another team's policy", "iam:CreatePolicyVersion", a.GlobalARN("iam", "policy/payments-app"), nil, implicit),
		w.byDeploy("Rhino 1 / issue: new version of the boundary", "iam:CreatePolicyVersion", w.boundary, nil, explicit),
		w.byDeploy("Rhino 1 / issue: new version of the deploy role's own policy", "iam:CreatePolicyVersion", a.GlobalARN("iam", "policy"+deployPolicyPath+"deploy-prod-1"), nil, explicit),
		w.byDeploy("Rhino 2: SetDefaultPolicyVersion of the boundary", "iam:SetDefaultPolicyVersion", w.boundary, nil, explicit),
		w.byDeploy("issue: delete the boundary", "iam:DeletePolicy", w.boundary, nil, explicit),
		w.byDeploy("Rhino 3: pass a stack role to EC2", "iam:PassRole", w.stackRole, map[string]any{"iam:PassedToService": "ec2.amazonaws.com"}, implicit),
		w.byDeploy("Rhino 3: run an instance", "ec2:RunInstances", a.ARN("ec2", "instance/*"), nil, implicit),
		w.byDeploy("issue: pass a stack role to Step Functions", "iam:PassRole", w.stackRole, map[string]any{"iam:PassedToService": "states.amazonaws.com"}, implicit),
		w.byDeploy("issue: pass a stack role to EKS Pod Identity", "iam:PassRole", w.stackRole, map[string]any{"iam:PassedToService": "pods.eks.amazonaws.com"}, implicit),
		w.byDeploy("issue: pass a redeploy role to EKS Pod Identity", "iam:PassRole", role("prod-api-redeploy"), map[string]any{"iam:PassedToService": "pods.eks.amazonaws.com"}, implicit),
		w.byDeploy("issue: associate an outside role with a service account", "iam:PassRole", role("payments-admin"), map[string]any{"iam:PassedToService": "pods.eks.amazonaws.com"}, implicit),
		w.byDeploy("issue: change another team's Pod Identity association", "eks:UpdatePodIdentityAssociation", a.ARN("eks", "podidentityassociation/platform/a-0123456789abcdefg"),
			map[string]any{"aws:ResourceTag/Environment": "payments"}, implicit),
		w.byDeploy("Rhino 4 / issue: create an access key", "iam:CreateAccessKey", a.GlobalARN("iam", "user/admin"), nil, explicit),
		w.byDeploy("issue: create a user", "iam:CreateUser", a.GlobalARN("iam", "user/backdoor"), nil, explicit),
		w.byDeploy("Rhino 5: create a login profile", "iam:CreateLoginProfile", a.GlobalARN("iam", "user/admin"), nil, explicit),
		w.byDeploy("Rhino 6: update a login profile", "iam:UpdateLoginProfile", a.GlobalARN("iam", "user/admin"), nil, explicit),
		w.byDeploy("Rhino 7: attach a policy to a user", "iam:AttachUserPolicy", a.GlobalARN("iam", "user/admin"), map[string]any{"iam:PolicyARN": admin}, explicit),
		w.byDeploy("Rhino 8: attach a policy to a group", "iam:AttachGroupPolicy", a.GlobalARN("iam", "group/admins"), map[string]any{"iam:PolicyARN": admin}, explicit),
		w.byDeploy("Rhino 9 / issue: attach AdministratorAccess to a stack role", "iam:AttachRolePolicy", w.stackRole, with(bounded, map[string]any{"iam:PolicyARN": admin}), implicit),
		w.byDeploy("Rhino 9: attach AdministratorAccess to an outside role", "iam:AttachRolePolicy", role("payments-app"), map[string]any{"iam:PolicyARN": admin}, implicit),
		w.byDeploy("Rhino 10: put a user policy", "iam:PutUserPolicy", a.GlobalARN("iam", "user/admin"), nil, explicit),
		w.byDeploy("Rhino 11: put a group policy", "iam:PutGroupPolicy", a.GlobalARN("iam", "group/admins"), nil, explicit),
		w.byDeploy("Rhino 12 / issue: inline iam:* on an outside role", "iam:PutRolePolicy", role("payments-app"), nil, implicit),
		w.byDeploy("Rhino 12: inline policy on the break-glass role", "iam:PutRolePolicy", role(breakGlassRoleName), nil, implicit),
		w.byDeploy("Rhino 12: inline policy on the deploy role itself", "iam:PutRolePolicy", w.deploy, nil, implicit),
		w.byDeploy("Rhino 12: inline policy on a role named like the stack's but unbounded", "iam:PutRolePolicy", role("prod-imposter"), nil, implicit),
		w.byDeploy("Rhino 13: add a user to a group", "iam:AddUserToGroup", a.GlobalARN("iam", "group/admins"), nil, explicit),
		w.byDeploy("Rhino 14 / issue: change the trust of a stack role", "iam:UpdateAssumeRolePolicy", w.stackRole, bounded, explicit),
		w.byDeploy("Rhino 14 / issue: change the trust of an outside role", "iam:UpdateAssumeRolePolicy", role("payments-app"), nil, explicit),
		w.byDeploy("Rhino 15: pass an outside role to Lambda", "iam:PassRole", role("payments-admin"), map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, implicit),
		w.byDeploy("Rhino 15: create a function outside the environment", "lambda:CreateFunction", a.ARN("lambda", "function:payments-x"), nil, implicit),
		w.byDeploy("Rhino 16: event source mapping", "lambda:CreateEventSourceMapping", "*", nil, implicit),
		w.byDeploy("Rhino 17: code of another team's function", "lambda:UpdateFunctionCode", a.ARN("lambda", "function:payments-worker"), nil, implicit),
		w.byDeploy("Rhino 18: Glue dev endpoint", "glue:CreateDevEndpoint", "*", nil, implicit),
		w.byDeploy("Rhino 19: update a Glue dev endpoint", "glue:UpdateDevEndpoint", "*", nil, implicit),
		w.byDeploy("Rhino 20: CloudFormation stack", "cloudformation:CreateStack", a.ARN("cloudformation", "stack/x/*"), nil, implicit),
		w.byDeploy("Rhino 21: Data Pipeline", "datapipeline:CreatePipeline", "*", nil, implicit),
		w.byDeploy("issue: create a stack role without the boundary", "iam:CreateRole", role("prod-x"), tagsOurs, explicit),
		w.byDeploy("issue: create a stack role with AdministratorAccess as its boundary", "iam:CreateRole", role("prod-x"), with(tagsOurs, map[string]any{"iam:PermissionsBoundary": admin}), explicit),
		w.byDeploy("issue: create a role outside the environment, even bounded", "iam:CreateRole", role("payments-x"), with(tagsOurs, bounded), implicit),
		w.byDeploy("issue: remove a stack role's boundary", "iam:DeleteRolePermissionsBoundary", w.stackRole, bounded, explicit),
		w.byDeploy("issue: replace a stack role's boundary", "iam:PutRolePermissionsBoundary", w.stackRole, map[string]any{"iam:PermissionsBoundary": admin}, explicit),
		w.byDeploy("issue: a customer-managed policy outside the stack path", "iam:CreatePolicy", a.GlobalARN("iam", "policy/escalate"), nil, implicit),
		onKey(w.byDeploy("issue: key policy with the lockout check bypassed", "kms:PutKeyPolicy", w.stackKey, map[string]any{"kms:BypassPolicyLockoutSafetyCheck": "true"}, explicit), w.keyPolicy),
		w.byDeploy("issue: create a key with the lockout check bypassed", "kms:CreateKey", "*", with(tagsOurs, map[string]any{"kms:BypassPolicyLockoutSafetyCheck": "true"}), explicit),
		onKey(w.byDeploy("issue: schedule a stack key's deletion", "kms:ScheduleKeyDeletion", w.stackKey, nil, explicit), w.keyPolicy),
		onKey(w.byDeploy("issue: disable a stack key", "kms:DisableKey", w.stackKey, nil, explicit), w.keyPolicy),
		onKey(w.byDeploy("issue: another team's key policy", "kms:PutKeyPolicy", a.ARN("kms", "key/0fedcba9-0000-4000-a000-000000000000"), map[string]any{"kms:BypassPolicyLockoutSafetyCheck": "false"}, implicit), w.foreignKeyPolicy),
		onKey(w.byDeploy("issue: another team's key, decrypt directly", "kms:Decrypt", a.ARN("kms", "key/0fedcba9-0000-4000-a000-000000000000"), nil, implicit), w.foreignKeyPolicy),
		w.byDeploy("issue: open another team's security group", "ec2:AuthorizeSecurityGroupIngress", a.ARN("ec2", "security-group/sg-0payments"), w.theirs, implicit),
		w.byDeploy("issue: adopt another team's security group by tagging it", "ec2:CreateTags", a.ARN("ec2", "security-group/sg-0payments"), with(w.theirs, tagsOurs), implicit),
		w.byDeploy("issue: delete another team's EventBridge rule", "events:DeleteRule", a.ARN("events", "rule/payments-audit"), nil, implicit),
		w.byDeploy("issue: disable another team's EventBridge rule", "events:DisableRule", a.ARN("events", "rule/payments-audit"), nil, implicit),
		w.byDeploy("issue: point a stack rule at another account", "events:PutTargets", a.ARN("events", "rule/prod-secrets-dangerous-calls"),
			map[string]any{"events:TargetArn": []string{"arn:aws:sns:eu-west-1:999988887777:exfiltrate"}}, implicit),
		w.byDeploy("issue: delete another team's Config rule", "config:DeleteConfigRule", a.ARN("config", "config-rule/config-rule-payments"), w.theirs, implicit),
		w.byDeploy("issue: overwrite another stack's Config rule", "config:PutConfigRule", a.ARN("config", "config-rule/config-rule-other"),
			with(tagsOurs, map[string]any{"aws:ResourceTag/PulumiStack": "payments"}), explicit),
		w.byDeploy("issue: change another team's parameter group", "rds:ModifyDBParameterGroup", a.ARN("rds", "pg:payments-postgres16"), w.theirs, implicit),
		w.byDeploy("issue: adopt another team's parameter group by tagging it", "rds:AddTagsToResource", a.ARN("rds", "pg:payments-postgres16"), with(w.theirs, tagsOurs), implicit),
		w.byDeploy("issue: a secret policy that may be public", "secretsmanager:PutResourcePolicy", a.ARN("secretsmanager", "secret:/prod/app/stripe-AbCdEf"),
			map[string]any{"secretsmanager:BlockPublicPolicy": "false"}, implicit),
		w.byDeploy("issue: let anyone invoke a rotator", "lambda:AddPermission", a.ARN("lambda", "function:prod-rotate-app-database"), map[string]any{"lambda:Principal": "*"}, implicit),
		w.byDeploy("issue: read the other environment's secret", "secretsmanager:GetSecretValue", a.ARN("secretsmanager", "secret:/staging/app/stripe-AbCdEf"), nil, implicit),
		w.byDeploy("issue: assume an unlisted role in another account", "sts:AssumeRole", "arn:aws:iam::999988887777:role/admin", nil, implicit),
	}
}

// previewAttempts: what a pull request's preview session tries.
func (w escalationWorld) previewAttempts() []attempt {
	a := w.a
	bucket := stateBucketARN(a, settings{Backend: "s3", BucketName: "acme-secrets-platform-state-111122223333"})
	return []attempt{
		w.byPreview("issue: read a secret value", "secretsmanager:GetSecretValue", a.ARN("secretsmanager", "secret:/prod/app/stripe-AbCdEf"), nil, explicit),
		w.byPreview("issue: read secret values in a batch", "secretsmanager:BatchGetSecretValue", "*", nil, explicit),
		w.byPreview("issue: read an SSM parameter", "ssm:GetParameter", a.ARN("ssm", "parameter/payments/db-password"), nil, explicit),
		w.byPreview("issue: read an object outside the state bucket", "s3:GetObject", "arn:aws:s3:::payments-exports/customers.csv", nil, implicit),
		w.byPreview("issue: read another function's code and environment", "lambda:GetFunction", a.ARN("lambda", "function:payments-worker"), nil, implicit),
		w.byPreview("issue: read another function's environment", "lambda:GetFunctionConfiguration", a.ARN("lambda", "function:payments-worker"), nil, implicit),
		w.byPreview("issue: read log events", "logs:GetLogEvents", a.ARN("logs", "log-group:/aws/lambda/prod-rotate-app-database:log-stream:x"), nil, explicit),
		w.byPreview("issue: search logs", "logs:FilterLogEvents", a.ARN("logs", "log-group:/aws/lambda/prod-rotate-app-database"), nil, explicit),
		w.byPreview("issue: delete a stack lock", "s3:DeleteObject", bucket+"/.pulumi/locks/organization/secrets-platform/prod/lock.json", nil, explicit),
		w.byPreview("issue: overwrite the state", "s3:PutObject", bucket+"/.pulumi/stacks/secrets-platform/prod.json", nil, explicit),
		onKey(w.byPreview("issue: decrypt a secret through Secrets Manager", "kms:Decrypt", w.stackKey,
			map[string]any{"kms:ViaService": a.ServiceHost("secretsmanager"), "kms:CallerAccount": a.ID}, implicit), w.keyPolicy),
		w.byPreview("Rhino 3/15: pass any role", "iam:PassRole", w.stackRole, map[string]any{"iam:PassedToService": "lambda.amazonaws.com"}, implicit),
		w.byPreview("Rhino 12: put a role policy", "iam:PutRolePolicy", w.stackRole, nil, implicit),
	}
}

// boundedAttempts: a role the stack created, carrying the boundary, that a
// stolen deploy session gave an AdministratorAccess-like inline policy (which
// PutRolePolicy on a bounded role allows: IAM has no condition on a policy's
// content). The simulator evaluates the role's policy and the boundary as
// two requests (tools/iamsim passes no boundary); AWS allows a request only
// when both allow it, so the attempt is denied when the boundary denies it.
func (w escalationWorld) boundedAttempts(t *testing.T) []attempt {
	a := w.a
	adminLike := simJSON(t, iam.New(iam.Statement{Effect: iam.Allow, Action: iam.Strings{"*"}, Resource: iam.Strings{"*"}}))
	boundary := simJSON(t, iam.BoundaryPolicy(a, w.env))
	var out []attempt
	for _, x := range []struct {
		action, resource string
		want             string
		// keyPolicy is the stack key's policy: it gives key administration
		// to its administrators only, a third layer, so even the role's own
		// policy gets nothing there.
		keyPolicy json.RawMessage
	}{
		{"iam:CreateUser", a.GlobalARN("iam", "user/backdoor"), explicit, nil},
		{"iam:AttachRolePolicy", w.stackRole, explicit, nil},
		{"iam:PutRolePolicy", a.GlobalARN("iam", "role/payments-app"), explicit, nil},
		{"iam:CreatePolicyVersion", w.boundary, explicit, nil},
		{"sts:AssumeRole", "arn:aws:iam::999988887777:role/admin", explicit, nil},
		{"kms:PutKeyPolicy", w.stackKey, explicit, w.keyPolicy},
		{"kms:ScheduleKeyDeletion", w.stackKey, explicit, w.keyPolicy},
		{"organizations:LeaveOrganization", "*", explicit, nil},
		{"lambda:UpdateFunctionCode", a.ARN("lambda", "function:prod-rotate-app-database"), explicit, nil},
		{"secretsmanager:PutResourcePolicy", a.ARN("secretsmanager", "secret:/prod/app/stripe-AbCdEf"), explicit, nil},
		{"secretsmanager:GetSecretValue", a.ARN("secretsmanager", "secret:/staging/app/stripe-AbCdEf"), implicit, nil},
		{"ec2:AuthorizeSecurityGroupIngress", a.ARN("ec2", "security-group/sg-0payments"), implicit, nil},
		{"s3:GetObject", "arn:aws:s3:::acme-secrets-platform-state-111122223333/.pulumi/stacks/secrets-platform/prod.json", implicit, nil},
		{"ssm:GetParameter", a.ARN("ssm", "parameter/payments/db-password"), implicit, nil},
	} {
		account := iam.AccountOf(x.resource)
		if account == "" {
			account = a.ID
		}
		req := testenv.IAMRequest{Principal: w.stackRole, Action: x.action, Resource: x.resource, ResourceAccount: account, ResourcePolicy: x.keyPolicy}
		own, bound := req, req
		own.IdentityPolicies = []json.RawMessage{adminLike}
		own.Name = "its own policy: " + x.action
		bound.IdentityPolicies = []json.RawMessage{boundary}
		// Another account's role trusts nobody here, so that attempt fails
		// at its trust policy too.
		ownWant := allowed
		if x.keyPolicy != nil || account != a.ID {
			ownWant = implicit
		}
		out = append(out, attempt{method: "bounded role, its own policy alone: " + x.action, want: ownWant, req: own},
			attempt{method: "bounded role, the boundary: " + x.action, want: x.want, req: bound})
	}
	return out
}

// TestEscalationAttemptsAreDenied runs every attempt through the IAM
// simulator: each must be denied, with the kind of denial expected.
func TestEscalationAttemptsAreDenied(t *testing.T) {
	sim := testenv.NewIAMSim(t)
	w := newEscalationWorld(t)
	attempts := append(append(w.deployAttempts(), w.previewAttempts()...), w.boundedAttempts(t)...)
	reqs := make([]testenv.IAMRequest, len(attempts))
	for i := range attempts {
		if attempts[i].req.Name == "" {
			attempts[i].req.Name = attempts[i].method
		}
		attempts[i].req.Context = simContext(attempts[i].req.Context)
		reqs[i] = attempts[i].req
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	got, err := sim.Evaluate(ctx, reqs)
	require.NoError(t, err)
	counts, wrong := map[string]int{}, 0
	var rhino, issue int
	for i, d := range got {
		at := attempts[i]
		require.Empty(t, d.Error, "%s: simulator error", at.method)
		require.Empty(t, d.IgnoredContextKeys, "%s: the simulator ignored %v", at.method, d.IgnoredContextKeys)
		counts[d.Result]++
		if !assert.Equal(t, at.want, d.Result, "%s: %s %s", at.method, at.req.Action, at.req.Resource) {
			wrong++
		}
		if at.want != allowed && strings.HasPrefix(at.method, "Rhino") {
			rhino++
		}
		if at.want != allowed && strings.Contains(at.method, "issue") {
			issue++
		}
	}
	denied := counts[explicit] + counts[implicit]
	t.Log(fmt.Sprintf("escalation: %d attempts denied (%d explicitly, %d implicitly; %d from Rhino Security Labs' methods, %d from issue 12's list), %d own-policy checks allowed, %d wrong",
		denied, counts[explicit], counts[implicit], rhino, issue, counts[allowed], wrong))
	assert.GreaterOrEqual(t, denied, 15, "escalation attempts denied, got/want at least")
	assert.Zero(t, wrong)
}
