package delivery

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// maxRoleSessionSeconds is the longest session a workflow may ask for: the
// MaxSessionDuration the bootstrap gives the preview and deploy roles
// (bootstrap/github.go), which is also AWS's cap on a chained role session
// (the consumer-account provider assumes a role from the deploy session).
const maxRoleSessionSeconds = 3600

// TestRoleSessionCoversTheJobTimeout: a job that assumes an AWS role states
// its timeout and asks for a session at least that long, so the credentials
// never expire under a running `pulumi up` (half-applied changes), and no
// longer than the roles allow.
func TestRoleSessionCoversTheJobTimeout(t *testing.T) {
	jobs := 0
	for file, w := range loadWorkflows(t) {
		for _, name := range sortedJobs(w) {
			j := w.Jobs[name]
			for _, s := range j.Steps {
				if s.action() != "aws-actions/configure-aws-credentials" {
					continue
				}
				jobs++
				where := fmt.Sprintf("%s: job %s", file, name)
				require.Positive(t, j.TimeoutMinutes, "%s: timeout-minutes must be set", where)
				secs, err := strconv.Atoi(s.With["role-duration-seconds"])
				require.NoError(t, err, "%s: role-duration-seconds must be a number", where)
				assert.GreaterOrEqual(t, secs, j.TimeoutMinutes*60, "%s: role session (got) covers timeout-minutes x 60 (want)", where)
				assert.LessOrEqual(t, secs, maxRoleSessionSeconds, "%s: role session within the roles' MaxSessionDuration", where)
				assert.NotEmpty(t, s.With["allowed-account-ids"], "%s: credentials are refused for another account", where)
			}
		}
	}
	assert.Positive(t, jobs)
}

// roleName is the role a configure-aws-credentials step assumes.
func roleName(s step) string {
	arn := s.With["role-to-assume"]
	return arn[strings.LastIndex(arn, "/")+1:]
}

// TestOnlyEnvironmentJobsDeploy: `pulumi up` runs only with the deploy role,
// the deploy role is assumed only in a job bound to a GitHub environment (the
// role trusts nothing else, and the environment's reviewers gate the job),
// and jobs without an environment use the read-only preview role.
func TestOnlyEnvironmentJobsDeploy(t *testing.T) {
	ups := 0
	for file, w := range loadWorkflows(t) {
		for _, name := range sortedJobs(w) {
			j := w.Jobs[name]
			role := ""
			for _, s := range j.Steps {
				where := fmt.Sprintf("%s: job %s", file, name)
				if s.action() == "aws-actions/configure-aws-credentials" {
					role = roleName(s)
					assert.Contains(t, []string{"secrets-platform-preview", "secrets-platform-deploy"}, role, where)
					if role == "secrets-platform-deploy" {
						assert.NotEmpty(t, j.Environment, "%s assumes the deploy role outside a GitHub environment", where)
					}
				}
				if strings.Contains(s.Run, "pulumi up") || (s.action() == "pulumi/actions" && s.With["command"] == "up") {
					ups++
					assert.Equal(t, "secrets-platform-deploy", role, "%s: pulumi up with the deploy role", where)
					assert.NotEmpty(t, j.Environment, "%s: pulumi up outside a GitHub environment", where)
				}
			}
		}
	}
	assert.Positive(t, ups)
}

// TestEveryStackDeploysBehindItsEnvironment: deploy.yml deploys every
// committed stack, staging before prod, each into the account and through
// the GitHub environment its bootstrap stack set up (the deploy role of that
// account trusts exactly that environment).
func TestEveryStackDeploysBehindItsEnvironment(t *testing.T) {
	w := loadWorkflows(t)["deploy.yml"]
	setups := bootstrapSetups(t)
	deployed := map[string]string{} // stack -> job
	for _, name := range sortedJobs(w) {
		j := w.Jobs[name]
		if j.Uses != "./.github/workflows/stack-deploy.yml" {
			continue
		}
		stack := j.With["stack"]
		deployed[stack] = name
		setup, ok := setups[stack]
		if !assert.True(t, ok, "job %s deploys %q, which no bootstrap/Pulumi.*.yaml sets up", name, stack) {
			continue
		}
		assert.Equal(t, setup.Account, j.With["account"], "job %s: account", name)
		assert.Equal(t, setup.Region, j.With["region"], "job %s: region", name)
		assert.Equal(t, setup.GitHubEnvironment, j.With["environment"], "job %s: environment", name)
		assert.Equal(t, "acme-secrets-platform-state-"+setup.Account, setup.StateBucket, "the workflows derive the state bucket from the account")
		assert.Equal(t, "write", j.Permissions["id-token"], "job %s: OIDC token for the roles", name)
	}
	var stacks []string
	for s := range deployed {
		stacks = append(stacks, s)
	}
	slices.Sort(stacks)
	assert.Equal(t, committedStacks(t), stacks, "stacks deployed (got) and committed (want)")
	assert.Equal(t, deployed["staging"], w.Jobs[deployed["prod"]].Needs, "prod deploys after staging")

	for name, env := range map[string]string{"staging": "staging", "prod": "production"} {
		assert.Equal(t, env, w.Jobs[deployed[name]].With["environment"])
	}
}

// TestDeployAppliesOnlyTheReviewedPreview: in stack-deploy.yml the gated job
// checks out the commit the preview job recorded, compares a new preview with
// the reviewed digest, and only then runs pulumi up.
func TestDeployAppliesOnlyTheReviewedPreview(t *testing.T) {
	w := loadWorkflows(t)["stack-deploy.yml"]
	preview, deploy := w.Jobs["preview"], w.Jobs["deploy"]
	require.NotEmpty(t, preview.Steps, "stack-deploy.yml has a preview job")
	require.NotEmpty(t, deploy.Steps, "stack-deploy.yml has a deploy job")

	assert.Equal(t, "preview", deploy.Needs)
	assert.Equal(t, "${{ inputs.environment }}", deploy.Environment)
	assert.Empty(t, preview.Environment, "the preview runs before anyone approves")
	at := func(j job, pred func(step) bool) int {
		return slices.IndexFunc(j.Steps, pred)
	}
	assert.GreaterOrEqual(t, at(preview, func(s step) bool {
		return s.action() == "aws-actions/configure-aws-credentials" && roleName(s) == "secrets-platform-preview"
	}), 0, "the preview uses the read-only role")
	recorded := at(preview, func(s step) bool {
		return strings.Contains(s.Run, "pulumi preview") && strings.Contains(s.Run, "previewdigest -commit \"$GITHUB_SHA\"")
	})
	assert.GreaterOrEqual(t, recorded, 0, "the preview job records the digest of this commit")
	assert.GreaterOrEqual(t, at(preview, func(s step) bool { return s.action() == "actions/upload-artifact" }), recorded)

	checkout := at(deploy, func(s step) bool { return s.action() == "actions/checkout" })
	require.GreaterOrEqual(t, checkout, 0)
	assert.Equal(t, "${{ needs.preview.outputs.commit }}", deploy.Steps[checkout].With["ref"], "the deploy checks out the reviewed commit")
	compare := at(deploy, func(s step) bool {
		return strings.Contains(s.Run, "pulumi preview") && strings.Contains(s.Run, "previewdigest") && strings.Contains(s.Run, "-reviewed")
	})
	up := at(deploy, func(s step) bool { return strings.Contains(s.Run, "pulumi up") })
	require.GreaterOrEqual(t, compare, 0, "the deploy compares a new preview with the reviewed digest")
	assert.Greater(t, up, compare, "pulumi up runs after the comparison")
	assert.Empty(t, deploy.Steps[up].If, "nothing lets pulumi up run when the comparison failed")
	assert.NotContains(t, deploy.Steps[up].Run, "--refresh", "a refresh would apply what nobody reviewed")
}

// TestDriftIsCheckedPerStackAndAlerts: drift.yml runs on a schedule, covers
// every committed stack with its account, fails on any change a refresh or
// a preview proposes, never reads a secret version back, and opens or
// updates an issue when it fails.
func TestDriftIsCheckedPerStackAndAlerts(t *testing.T) {
	w := loadWorkflows(t)["drift.yml"]
	var on map[string]any
	require.NoError(t, w.On.Decode(&on))
	assert.Contains(t, on, "schedule")
	j, ok := w.Jobs["drift"]
	require.True(t, ok, "drift.yml has a drift job")
	setups := bootstrapSetups(t)
	var stacks []string
	for _, m := range j.Strategy.Matrix.Include {
		stacks = append(stacks, m["stack"])
		assert.Equal(t, setups[m["stack"]].Account, m["account"], "drift of %s: account", m["stack"])
	}
	slices.Sort(stacks)
	assert.Equal(t, committedStacks(t), stacks)
	assert.Equal(t, "write", j.Permissions["issues"])

	check := slices.IndexFunc(j.Steps, func(s step) bool { return strings.Contains(s.Run, "pulumi preview") })
	require.GreaterOrEqual(t, check, 0)
	run := j.Steps[check].Run
	assert.Contains(t, run, "pulumi refresh --preview-only")
	assert.Equal(t, 2, strings.Count(run, "--expect-no-changes"), "both the refresh preview and the preview expect no change")
	assert.Contains(t, run, "--exclude '**aws:secretsmanager/secretVersion:SecretVersion::**'", "a refresh of a secret version reads its value, which the preview role may not")
	assert.NotContains(t, run, "--refresh", "preview --refresh would read the secret versions")
	assert.Contains(t, j.Steps[check].Run, "set -o pipefail", "tee must not hide the preview's exit code")
	alert := slices.IndexFunc(j.Steps, func(s step) bool { return s.If == "failure()" && strings.Contains(s.Run, "gh issue create") })
	assert.Greater(t, alert, check, "a failed check opens or updates an issue")
	for _, s := range j.Steps {
		if s.action() == "aws-actions/configure-aws-credentials" {
			assert.Equal(t, "secrets-platform-preview", roleName(s), "drift uses the read-only role")
		}
	}
}

// TestPreviewJobsRunWhereThePreviewRoleTrusts: GitHub names a job's OIDC
// subject by its environment, else by its event (pull_request) or branch;
// the preview role trusts pull requests and main (bootstrap/policies.go), so
// every job that assumes it outside an environment runs on a pull request,
// or on main: pushes to main, the schedule (which runs on the default
// branch), and deploy.yml's calls of stack-deploy.yml.
func TestPreviewJobsRunWhereThePreviewRoleTrusts(t *testing.T) {
	checked := 0
	for file, w := range loadWorkflows(t) {
		var on map[string]any
		require.NoError(t, w.On.Decode(&on))
		for _, name := range sortedJobs(w) {
			j := w.Jobs[name]
			for _, s := range j.Steps {
				if s.action() != "aws-actions/configure-aws-credentials" || roleName(s) != "secrets-platform-preview" {
					continue
				}
				checked++
				assert.Empty(t, j.Environment, "%s: job %s previews inside an environment, whose subject the preview role does not trust", file, name)
				for event, spec := range on {
					switch event {
					case "pull_request", "schedule", "workflow_call", "workflow_dispatch":
					case "push":
						branches, _ := spec.(map[string]any)["branches"].([]any)
						assert.Equal(t, []any{"main"}, branches, "%s: job %s previews on pushes to %v; the preview role trusts main only", file, name, branches)
					default:
						t.Errorf("%s: job %s previews on %s, whose subject the preview role does not trust", file, name, event)
					}
				}
			}
		}
	}
	assert.Positive(t, checked)
}

// TestPreviewedStacksNeedNoConsumerRole: the AWS provider assumes a
// crossAccount deployRoleArn whenever it is configured, previews included,
// and the preview role must never hold a role that writes in another account
// (bootstrap/gaps.go): every stack CI previews with it leaves the consumer
// side to the consumer account.
func TestPreviewedStacksNeedNoConsumerRole(t *testing.T) {
	for _, stack := range committedStacks(t) {
		b, err := os.ReadFile(filepath.Join("..", "..", "Pulumi."+stack+".yaml"))
		require.NoError(t, err)
		assert.NotRegexp(t, `(?m)^\s+deployRoleArn:`, string(b), "stack %s is previewed by the read-only role, which cannot assume a consumer deploy role", stack)
	}
}
