package quota_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/acme/secrets-platform/quota"
)

// TestBudgetsStayUnderTheAccountsQuotas: a stack's share leaves room for the
// rest of the account (and, for concurrency, the 100 AWS keeps unreserved).
func TestBudgetsStayUnderTheAccountsQuotas(t *testing.T) {
	assert.LessOrEqual(t, quota.RolesPerStack, quota.IAMRolesPerAccount/2)
	assert.LessOrEqual(t, quota.ReservedConcurrencyPerStack, quota.ConcurrencyPerAccount-100)
	assert.LessOrEqual(t, quota.RulesPerStack, quota.RulesPerEventBus/2)
	assert.LessOrEqual(t, quota.ManagedPoliciesPerStack, quota.ManagedPoliciesPerAccount/2)
	assert.Less(t, quota.ManagedPolicy, quota.InlinePoliciesPerRole)
}
