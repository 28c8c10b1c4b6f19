package lambdaext_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/lambdaext"
)

// layerShape is how AWS names the extension's layers: the region in the ARN
// is the table's, and the arm64 layer's name ends in -Arm64.
var layerShape = regexp.MustCompile(`^arn:aws:lambda:([a-z0-9-]+):([0-9]{12}):layer:AWS-Parameters-and-Secrets-Lambda-Extension(-Arm64)?:([0-9]+)$`)

func TestLayerARNsMatchTheirRegionAndArchitecture(t *testing.T) {
	require.Contains(t, lambdaext.Regions(), "eu-west-1", "the committed stacks' region")
	require.Contains(t, lambdaext.Regions(), "us-east-1", "moto's region, which the tests use")
	for _, region := range lambdaext.Regions() {
		accounts := map[string]bool{}
		for _, arch := range lambdaext.Architectures() {
			arn, err := lambdaext.LayerARN(region, arch)
			require.NoError(t, err)
			m := layerShape.FindStringSubmatch(arn)
			require.NotNil(t, m, "%s %s: %s is not an extension layer ARN", region, arch, arn)
			assert.Equal(t, region, m[1], "%s %s: region in the ARN, got/want", region, arch)
			assert.Equal(t, arch == lambdaext.ARM64, m[3] == "-Arm64", "%s %s: layer name %s", region, arch, arn)
			accounts[m[2]] = true
		}
		assert.Len(t, accounts, 1, "%s: AWS publishes both architectures from one account per region", region)
	}
	assert.Equal(t, "arn:aws:lambda:eu-west-1:015030872274:layer:AWS-Parameters-and-Secrets-Lambda-Extension-Arm64:101",
		must(lambdaext.LayerARN("eu-west-1", lambdaext.ARM64)), "eu-west-1 arm64 as AWS's table of %s lists it", lambdaext.LayersAsOf)
}

func must(s string, err error) string {
	if err != nil {
		panic(err)
	}
	return s
}

func TestUnknownRegionOrArchitectureIsRefused(t *testing.T) {
	_, err := lambdaext.LayerARN("xx-nowhere-1", lambdaext.ARM64)
	require.Error(t, err)
	assert.Contains(t, err.Error(), `"xx-nowhere-1"`)
	assert.Contains(t, err.Error(), "ps-integration-lambda-extensions", "the error says where to find the ARN")
	_, err = lambdaext.LayerARN("eu-west-1", "mips")
	assert.ErrorContains(t, err, `"mips"`)
}

func TestEnvironmentFollowsTheStackCache(t *testing.T) {
	tests := []struct {
		ttl  time.Duration
		want string
	}{
		{5 * time.Minute, "300"},
		{90*time.Second + 900*time.Millisecond, "90"},
		{15 * time.Minute, "300"}, // the extension's maximum
		{time.Second, "1"},
	}
	for _, tt := range tests {
		env := lambdaext.Environment(tt.ttl)
		assert.Equal(t, tt.want, env[lambdaext.EnvSecretsTTL], "ttl %s: SECRETS_MANAGER_TTL, got/want", tt.ttl)
		assert.Equal(t, "TRUE", env[lambdaext.EnvCacheEnabled])
		assert.Equal(t, "5000", env[lambdaext.EnvSecretsTimeout], "a bounded request timeout (the extension's default waits forever)")
		for k := range env {
			assert.True(t, strings.HasPrefix(k, "SECRETS_MANAGER_") || strings.HasPrefix(k, "PARAMETERS_SECRETS_EXTENSION_"), "%s is not one of the extension's variables", k)
		}
	}
}
