package awsshape_test

import (
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/awsshape"
)

var prod = awsshape.Env{Account: "111122223333", Region: "eu-west-1"}

func TestOutputsHaveAWSShapes(t *testing.T) {
	tests := []struct {
		name, typ string
		inputs    map[string]any
		wantID    string // a regular expression
		want      map[string]string
	}{
		{"secret ARN carries the six-character suffix", "aws:secretsmanager/secret:Secret", map[string]any{"name": "/prod/app/stripe"},
			`^arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-[A-Za-z0-9]{6}$`, nil},
		{"key id is a UUID", "aws:kms/key:Key", map[string]any{},
			`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$`, map[string]string{"arn": `^arn:aws:kms:eu-west-1:111122223333:key/`}},
		{"auto-named role", "aws:iam/role:Role", map[string]any{},
			`^reader-[0-9a-f]{7}$`, map[string]string{"arn": `^arn:aws:iam::111122223333:role/reader-[0-9a-f]{7}$`}},
		{"database address and master secret", "aws:rds/instance:Instance",
			map[string]any{"identifier": "prod-app", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": "arn:key"},
			`^db-[0-9A-F]{26}$`, map[string]string{"address": `^prod-app\.c[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$`}},
		{"hosted rotator outputs its function", "aws:serverlessrepository/cloudFormationStack:CloudFormationStack",
			map[string]any{"name": "rot", "parameters": map[string]any{"functionName": "prod-rotate-db"}},
			`^arn:aws:cloudformation:eu-west-1:111122223333:stack/serverlessrepo-rot/`, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, state := awsshape.Outputs(tt.typ, "reader", resource.NewPropertyMapFromMap(tt.inputs), prod)
			assert.Regexp(t, tt.wantID, id)
			for k, re := range tt.want {
				assert.Regexp(t, re, state[resource.PropertyKey(k)].StringValue(), k)
			}
			id2, _ := awsshape.Outputs(tt.typ, "reader", resource.NewPropertyMapFromMap(tt.inputs), prod)
			assert.Equal(t, id, id2, "the same resource got two ids")
		})
	}
	_, db := awsshape.Outputs("aws:rds/instance:Instance", "db", resource.NewPropertyMapFromMap(map[string]any{
		"identifier": "prod-app", "manageMasterUserPassword": true, "masterUserSecretKmsKeyId": "arn:key"}), prod)
	secrets := db["masterUserSecrets"].ArrayValue()
	require.Len(t, secrets, 1)
	assert.Regexp(t, `^arn:aws:secretsmanager:eu-west-1:111122223333:secret:rds!db-`, secrets[0].ObjectValue()["secretArn"].StringValue())
	_, sar := awsshape.Outputs("aws:serverlessrepository/cloudFormationStack:CloudFormationStack", "rot",
		resource.NewPropertyMapFromMap(map[string]any{"parameters": map[string]any{"functionName": "prod-rotate-db"}}), prod)
	assert.Equal(t, "arn:aws:lambda:eu-west-1:111122223333:function:prod-rotate-db", sar["outputs"].ObjectValue()["RotationLambdaARN"].StringValue())
}

func TestSecretInputsStaySecret(t *testing.T) {
	_, state := awsshape.Outputs("aws:sns/topicSubscription:TopicSubscription", "hook", resource.PropertyMap{
		"topic": resource.NewProperty("arn:topic"), "protocol": resource.NewProperty("https"),
		"endpoint": resource.MakeSecret(resource.NewProperty("https://hooks.example.com/token")),
	}, prod)
	assert.True(t, state["endpoint"].IsSecret(), "endpoint: got plain, want secret")
}

func TestInvokeAnswersInTheRegionsPartition(t *testing.T) {
	p, err := awsshape.Invoke("aws:index/getPartition:getPartition", nil, awsshape.Env{Account: "1", Region: "cn-north-1"})
	require.NoError(t, err)
	assert.Equal(t, "aws-cn", p["partition"].StringValue())
	assert.Equal(t, "amazonaws.com.cn", p["dnsSuffix"].StringValue())
	azs, err := awsshape.Invoke("aws:index/getAvailabilityZones:getAvailabilityZones", nil, prod)
	require.NoError(t, err)
	assert.Equal(t, "euw1-az1", azs["zoneIds"].ArrayValue()[0].StringValue())
	_, err = awsshape.Invoke("aws:ec2/getSubnet:getSubnet", nil, prod)
	assert.ErrorContains(t, err, "aws:ec2/getSubnet:getSubnet")
}

func TestReplaceKeysKnowsWhatItDoesNotKnow(t *testing.T) {
	keys, ok := awsshape.ReplaceKeys("aws:rds/instance:Instance")
	require.True(t, ok)
	assert.Contains(t, keys, "identifier")
	assert.Contains(t, keys, "kmsKeyId")
	assert.NotContains(t, keys, "instanceClass", "a class change is an in-place modification")
	assert.Contains(t, awsshape.Source("aws:rds/instance:Instance"), "internal/service/rds/instance.go")
	_, ok = awsshape.ReplaceKeys("aws:s3/bucket:Bucket")
	assert.False(t, ok)
}
