package mockrun_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/sns"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// TestTwoResourcesOfOneURNAreRefused: the engine refuses a program that
// registers two resources of one type, name and parent; the mocks do too, so
// a config that would make two does not pass the tests and fail the deploy.
func TestTwoResourcesOfOneURNAreRefused(t *testing.T) {
	st, err := mockrun.LoadStack("../..", "prod")
	require.NoError(t, err)
	_, err = mockrun.RunProgram(st, func(ctx *pulumi.Context) error {
		for range 2 {
			if _, err := sns.NewTopic(ctx, "same", &sns.TopicArgs{}); err != nil {
				return err
			}
		}
		return nil
	})
	assert.ErrorContains(t, err, "duplicate resource URN")
}
