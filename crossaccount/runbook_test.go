package crossaccount_test

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/crossaccount"
)

// TestOnboardingRunbookGivesTheConsumerDeployRoleAsCoded: the policies the
// runbook tells a consuming team to paste are exactly the ones the code
// proves in the IAM simulator, for the runbook's example values.
func TestOnboardingRunbookGivesTheConsumerDeployRoleAsCoded(t *testing.T) {
	b, err := os.ReadFile("../docs/runbooks/onboard-consuming-account.md")
	require.NoError(t, err)
	page := string(b)
	policy, err := crossaccount.ConsumerDeployPolicy("arn:aws:iam::777788889999:role/billing-worker").JSON()
	require.NoError(t, err)
	trust, err := crossaccount.ConsumerDeployTrust("arn:aws:iam::111122223333:role/secrets-platform-deploy", "secrets-platform-prod", "o-a1b2c3d4e5").JSON()
	require.NoError(t, err)
	assert.True(t, strings.Contains(page, "```json\n"+policy+"\n```"), "the runbook's consumer deploy policy differs from crossaccount.ConsumerDeployPolicy; paste:\n%s", policy)
	assert.True(t, strings.Contains(page, "```json\n"+trust+"\n```"), "the runbook's consumer deploy trust differs from crossaccount.ConsumerDeployTrust; paste:\n%s", trust)
	assert.Contains(t, page, crossaccount.ConsumerPolicyName("<our account id>", "secrets-platform-<stack>"), "the runbook names the inline policy as the code does")
}
