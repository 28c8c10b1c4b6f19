package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
)

// bootstrapStacks runs the program for every committed Pulumi.<stack>.yaml here.
func bootstrapStacks(t *testing.T) map[string]*mockrun.Recording {
	t.Helper()
	names, err := mockrun.StackNames(".")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(names), 2, "one example per account")
	out := map[string]*mockrun.Recording{}
	for _, n := range names {
		st, err := mockrun.LoadStack(".", n)
		require.NoError(t, err)
		rec, err := mockrun.RunProgram(st, program)
		require.NoError(t, err, "stack %s", n)
		out[n] = rec
		// The same account with state in Pulumi Cloud: no bucket.
		cloud := st.With("stateBackend", "pulumi-cloud").With("stateBucketName", "")
		rec, err = mockrun.RunProgram(cloud, program)
		require.NoError(t, err, "stack %s with Pulumi Cloud", n)
		out[n+"+pulumi-cloud"] = rec
	}
	return out
}

func loadSettings(t *testing.T, name string) mockrun.Stack {
	t.Helper()
	st, err := mockrun.LoadStack(".", name)
	require.NoError(t, err)
	return st
}

func role(t *testing.T, rec *mockrun.Recording, name string) mockrun.Resource {
	t.Helper()
	for _, r := range rec.OfType("aws:iam/role:Role") {
		if r.Str("name") == name {
			return r
		}
	}
	require.Failf(t, "missing role", "got no role %s", name)
	return mockrun.Resource{}
}

func inlinePolicy(t *testing.T, rec *mockrun.Recording, roleName string) iam.Document {
	t.Helper()
	for _, p := range rec.OfType("aws:iam/rolePolicy:RolePolicy") {
		if p.Str("role") == roleName {
			doc, err := iam.Parse(p.Str("policy"))
			require.NoError(t, err)
			return doc
		}
	}
	require.Failf(t, "missing policy", "got no inline policy on %s", roleName)
	return iam.Document{}
}

func TestTrustIsExactForEveryBootstrapStack(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			st := loadSettings(t, strings.TrimSuffix(name, "+pulumi-cloud"))
			repo := st.Config["secrets-platform-bootstrap:githubRepository"]
			env := st.Config["secrets-platform-bootstrap:githubEnvironment"]
			providers := rec.OfType("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
			require.Len(t, providers, 1)
			assert.Equal(t, "https://token.actions.githubusercontent.com", providers[0].Str("url"))
			assert.Equal(t, []string{"sts.amazonaws.com"}, providers[0].Strings("clientIdLists"))
			providerArn := providers[0].StateStr("arn")

			// The preview role: pull requests and main outside an environment
			// (the reviewed preview before a deploy, the daily drift check).
			tests := []struct {
				role string
				sub  iam.Strings
			}{
				{previewRoleName, iam.Strings{"repo:" + repo + ":pull_request", "repo:" + repo + ":ref:refs/heads/main"}},
				{deployRoleName, iam.Strings{"repo:" + repo + ":environment:" + env}},
			}
			for _, tt := range tests {
				r := role(t, rec, tt.role)
				doc, err := iam.Parse(r.Str("assumeRolePolicy"))
				require.NoError(t, err)
				require.Len(t, doc.Statement, 1)
				s := doc.Statement[0]
				assert.Equal(t, iam.Strings{providerArn}, s.Principal.Federated, "%s trusts the GitHub provider only", tt.role)
				assert.Equal(t, iam.Strings{"sts:AssumeRoleWithWebIdentity"}, s.Action)
				assert.Equal(t, iam.Conditions{"StringEquals": {
					"token.actions.githubusercontent.com:aud": {"sts.amazonaws.com"},
					"token.actions.githubusercontent.com:sub": tt.sub,
				}}, s.Condition, "got %s trust %v, want exactly sub %s", tt.role, s.Condition, tt.sub)
				for _, v := range s.Condition["StringEquals"]["token.actions.githubusercontent.com:sub"] {
					assert.NotContains(t, v, "*", "no wildcard subject")
				}
			}
		})
	}
}

func TestPreviewRoleIsAnAllowListThatNeverReadsSecretValues(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			for _, a := range rec.OfType(mockrun.TypeRolePolicyAttachment) {
				assert.NotEqual(t, previewRoleName, a.Str("role"), "the preview role gets no managed policy (ReadOnlyAccess reads the whole account), got %s", a.Str("policyArn"))
			}
			doc := inlinePolicy(t, rec, previewRoleName)
			var deniedValues, deniedLocks bool
			for _, s := range doc.Statement {
				if s.Effect == iam.Deny {
					deniedValues = deniedValues || (slices.Contains(s.Action, "secretsmanager:GetSecretValue") && slices.Contains(s.Action, "secretsmanager:BatchGetSecretValue") && slices.Contains(s.Resource, "*"))
					deniedLocks = deniedLocks || slices.Contains(s.Action, "s3:DeleteObject")
					continue
				}
				for _, a := range s.Action {
					assert.False(t, a == "*" || strings.HasSuffix(a, ":*"), "%s: no wildcard action, got %s", s.Sid, a)
					assert.NotContains(t, []string{"s3:PutObject", "s3:DeleteObject", "kms:Encrypt", "kms:GenerateDataKey", "secretsmanager:GetSecretValue"}, a,
						"%s: a preview writes no state and reads no secret value", s.Sid)
				}
			}
			assert.True(t, deniedValues, "the preview role denies GetSecretValue and BatchGetSecretValue on every secret")
			assert.Equal(t, !strings.HasSuffix(name, "+pulumi-cloud"), deniedLocks, "the preview role is denied deleting state objects and locks (s3 backend)")
		})
	}
}

// unscoped are the only write actions the deploy role holds on "*":
// creation calls that take no resource ARN.
var unscoped = []string{"kms:CreateKey", "sts:GetCallerIdentity"}

// deployPolicies returns the documents of the managed policies attached to
// the deploy role.
func deployPolicies(t *testing.T, rec *mockrun.Recording) []iam.Document {
	t.Helper()
	var out []iam.Document
	for _, att := range rec.OfType(mockrun.TypeRolePolicyAttachment) {
		if att.Str("role") != deployRoleName {
			continue
		}
		found := false
		for _, p := range rec.OfType(mockrun.TypePolicy) {
			if p.StateStr("arn") == att.Str("policyArn") {
				found = true
				assert.Equal(t, deployPolicyPath, p.Str("path"), "deploy policy path, got/want")
				doc, err := iam.Parse(p.Str("policy"))
				require.NoError(t, err)
				n, err := iam.CompactLen(doc)
				require.NoError(t, err)
				assert.LessOrEqual(t, n, iam.ManagedPolicyMaxChars, "%s: characters, got/want at most", p.Name)
				out = append(out, doc)
			}
		}
		assert.True(t, found, "the deploy role's policy %s is the bootstrap's own", att.Str("policyArn"))
	}
	require.NotEmpty(t, out, "the deploy role has its policies")
	return out
}

func TestDeployRoleIsScoped(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			st := loadSettings(t, strings.TrimSuffix(name, "+pulumi-cloud"))
			env := st.Config["secrets-platform-bootstrap:appEnvironment"]
			for _, p := range rec.OfType(mockrun.TypeRolePolicy) {
				assert.NotEqual(t, deployRoleName, p.Str("role"), "the deploy role has no inline policy: its policies are the managed ones its own policy may not edit")
			}
			var stmts []iam.Statement
			for _, doc := range deployPolicies(t, rec) {
				stmts = append(stmts, doc.Statement...)
			}
			a := iam.Account{ID: accountID(st), Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
			var passRole bool
			for _, s := range stmts {
				for _, act := range s.Action {
					assert.NotEqual(t, "*", act, "%s: no * action", s.Sid)
					assert.False(t, strings.HasSuffix(act, ":*") && s.Effect == iam.Allow, "%s: no service-wide action %s", s.Sid, act)
				}
				if s.Effect == iam.Allow && slices.Contains(s.Resource, "*") {
					for _, act := range s.Action {
						read := strings.Contains(act, ":Describe") || strings.Contains(act, ":List") || act == "config:ListTagsForResource"
						assert.True(t, read || slices.Contains(unscoped, act), "%s: %s on * must be a describe/list or a creation call", s.Sid, act)
					}
				}
				if slices.Contains(s.Action, "iam:PassRole") {
					// Each statement passes the environment's roles to one
					// service; only Lambda's take any of them (rotators and
					// workload functions), the others only the roles made
					// for that service, by their name's suffix.
					roles := "arn:aws:iam::" + accountID(st) + ":role/" + env + "-*"
					wantRoles := map[string]string{"lambda.amazonaws.com": roles, "states.amazonaws.com": roles + "-redeploy",
						"events.amazonaws.com": roles + "-trigger", "pods.eks.amazonaws.com": roles + "-pod"}
					services := s.Condition["StringEquals"]["iam:PassedToService"]
					if assert.Len(t, services, 1, "%s: passes roles to one service", s.Sid) {
						want, ok := wantRoles[services[0]]
						assert.True(t, ok, "%s: passes roles to %s", s.Sid, services[0])
						assert.Equal(t, iam.Strings{want}, s.Resource, "%s: roles passed to %s, got/want", s.Sid, services[0])
						passRole = passRole || services[0] == "lambda.amazonaws.com"
					}
				}
				if s.Effect == iam.Allow && slices.ContainsFunc(s.Action, func(a string) bool {
					return slices.Contains([]string{"iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"}, a)
				}) {
					assert.Equal(t, iam.Strings{iam.BoundaryARN(a, env)}, s.Condition["StringEquals"]["iam:PermissionsBoundary"],
						"%s: changes a role only when it carries the environment's boundary", s.Sid)
				}
				if slices.Contains(s.Action, "secretsmanager:CreateSecret") {
					// The environment's own secrets, or the master secret RDS
					// creates with the caller's rights (manageMasterUserPassword).
					own := iam.Strings{"arn:aws:secretsmanager:eu-west-1:" + accountID(st) + ":secret:/" + env + "/*"}
					rds := iam.Strings{"arn:aws:secretsmanager:eu-west-1:" + accountID(st) + ":secret:rds!*"}
					assert.True(t, slices.Equal(own, s.Resource) || slices.Equal(rds, s.Resource), "%s: CreateSecret on %v", s.Sid, s.Resource)
				}
			}
			assert.True(t, passRole, "the deploy role passes roles to Lambda")
		})
	}
}

func TestBoundaryIsRegisteredWhereTheProgramNamesIt(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			st := loadSettings(t, strings.TrimSuffix(name, "+pulumi-cloud"))
			env := st.Config["secrets-platform-bootstrap:appEnvironment"]
			a := iam.Account{ID: accountID(st), Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}
			var found int
			for _, p := range rec.OfType(mockrun.TypePolicy) {
				if p.StateStr("arn") != iam.BoundaryARN(a, env) {
					continue
				}
				found++
				doc, err := iam.Parse(p.Str("policy"))
				require.NoError(t, err)
				want, err := iam.BoundaryPolicy(a, env).JSON()
				require.NoError(t, err)
				got, err := doc.JSON()
				require.NoError(t, err)
				assert.Equal(t, want, got, "the registered boundary is iam.BoundaryPolicy")
			}
			assert.Equal(t, 1, found, "one boundary at %s", iam.BoundaryARN(a, env))
		})
	}
}

func accountID(st mockrun.Stack) string {
	return strings.Trim(strings.Trim(st.Config["aws:allowedAccountIds"], "[]"), `"`)
}

func TestStateBucketAndKey(t *testing.T) {
	for name, rec := range bootstrapStacks(t) {
		t.Run(name, func(t *testing.T) {
			st := loadSettings(t, strings.TrimSuffix(name, "+pulumi-cloud"))
			keys := rec.OfType("aws:kms/key:Key")
			require.Len(t, keys, 1)
			key := keys[0]
			on, _ := key.Bool("enableKeyRotation")
			assert.True(t, on, "secrets provider key rotates")
			assert.True(t, key.Protect, "secrets provider key is protected")
			doc, err := iam.Parse(key.Str("policy"))
			require.NoError(t, err, "explicit key policy")
			for _, s := range doc.Statement {
				assert.False(t, s.Principal.Any, "%s: no * principal", s.Sid)
			}
			buckets := rec.OfType("aws:s3/bucketV2:BucketV2")
			if strings.HasSuffix(name, "+pulumi-cloud") {
				assert.Empty(t, buckets, "no bucket with Pulumi Cloud")
				return
			}
			require.Equal(t, "s3", st.Config["secrets-platform-bootstrap:stateBackend"])
			require.Len(t, buckets, 1)
			b := buckets[0]
			assert.True(t, b.Protect, "state bucket is protected")
			force, _ := b.Bool("forceDestroy")
			assert.False(t, force)
			one := func(typ string) mockrun.Resource {
				rs := rec.OfType(typ)
				require.Len(t, rs, 1, typ)
				assert.Equal(t, b.StateStr("id"), rs[0].Str("bucket"), "%s is on the state bucket", typ)
				return rs[0]
			}
			assert.Equal(t, "Enabled", one("aws:s3/bucketVersioningV2:BucketVersioningV2").Str("versioningConfiguration.status"))
			enc := one("aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
			rules, ok := enc.Input("rules")
			require.True(t, ok)
			rule := rules.ArrayValue()[0].ObjectValue()
			sse := rule["applyServerSideEncryptionByDefault"].ObjectValue()
			assert.Equal(t, "aws:kms", sse["sseAlgorithm"].StringValue())
			assert.Equal(t, key.StateStr("arn"), sse["kmsMasterKeyId"].StringValue())
			pab := one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
			for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
				v, _ := pab.Bool(k)
				assert.True(t, v, "got %s false, want true", k)
			}
			assert.Equal(t, "BucketOwnerEnforced", one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").Str("rule.objectOwnership"))
			pol, err := iam.Parse(one("aws:s3/bucketPolicy:BucketPolicy").Str("policy"))
			require.NoError(t, err)
			require.Len(t, pol.Statement, 1)
			bucketARN := "arn:aws:s3:::" + st.Config["secrets-platform-bootstrap:stateBucketName"]
			assert.Equal(t, iam.Strings{bucketARN, bucketARN + "/*"}, pol.Statement[0].Resource, "the TLS rule covers the bucket and its objects")
			assert.Equal(t, iam.Deny, pol.Statement[0].Effect)
			assert.Equal(t, iam.Strings{"false"}, pol.Statement[0].Condition["Bool"]["aws:SecureTransport"])
		})
	}
}

func TestBadBootstrapConfigIsRefused(t *testing.T) {
	base := loadSettings(t, "prod-account")
	tests := []struct {
		name, key, value, want string
	}{
		{"wildcard repository", "githubRepository", "acme/*", "githubRepository"},
		{"wildcard environment", "githubEnvironment", "*", "githubEnvironment"},
		{"s3 without a bucket", "stateBucketName", "", "stateBucketName"},
		{"unknown backend", "stateBackend", "gcs", "stateBackend"},
		{"an environment whose roles would include the bootstrap's", "appEnvironment", "secrets", "bootstrap's own roles"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, err := mockrun.RunProgram(base.With(tt.key, tt.value), program)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Empty(t, rec.OfType("aws:iam/role:Role"), "nothing is registered from bad config")
		})
	}
}
