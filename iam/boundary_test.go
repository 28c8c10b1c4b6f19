package iam_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
)

func TestBoundaryIsNamedByOneConventionAndFits(t *testing.T) {
	assert.Equal(t, testBoundary, iam.BoundaryARN(testAccount, "prod"))
	assert.NoError(t, iam.CheckBoundaryARN(testAccount, "prod", testBoundary))
	assert.Error(t, iam.CheckBoundaryARN(testAccount, "staging", testBoundary), "another environment's boundary is refused")
	assert.False(t, strings.HasPrefix(iam.BoundaryPath, iam.StackPolicyPath("prod")), "the boundary is outside the path the deploy role manages")
	// The longest environment config allows (31 characters) still fits a managed policy.
	n, err := iam.CompactLen(iam.BoundaryPolicy(testAccount, "e"+strings.Repeat("x", 30)))
	require.NoError(t, err)
	assert.LessOrEqual(t, n, iam.ManagedPolicyMaxChars, "boundary characters, got/want at most")
	doc := iam.BoundaryPolicy(testAccount, "prod")
	var denies iam.Strings
	for _, s := range doc.Statement {
		if s.Effect == iam.Deny {
			denies = append(denies, s.Action...)
		}
		for _, a := range s.Action {
			if s.Effect == iam.Allow {
				assert.NotContains(t, []string{"*", "iam:*", "kms:*", "secretsmanager:*"}, a, "%s: the boundary is an allow-list", s.Sid)
			}
		}
	}
	for _, a := range []string{"iam:*", "sts:AssumeRole", "organizations:*", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion", "secretsmanager:PutResourcePolicy"} {
		assert.Contains(t, denies, a, "the boundary denies %s explicitly", a)
	}
}
