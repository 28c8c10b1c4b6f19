package standin_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/acme/secrets-platform/internal/standin"
)

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true}

func props(t *testing.T, m map[string]any) *structpb.Struct {
	t.Helper()
	pm := resource.NewPropertyMapFromMap(m)
	s, err := plugin.MarshalProperties(pm, opts)
	require.NoError(t, err)
	return s
}

func read(t *testing.T, s *structpb.Struct) resource.PropertyMap {
	t.Helper()
	m, err := plugin.UnmarshalProperties(s, opts)
	require.NoError(t, err)
	return m
}

func urn(typ, name string) string {
	return string(resource.NewURN("prod", "secrets-platform", "", tokens.Type(typ), name))
}

func configured(t *testing.T) *standin.Provider {
	t.Helper()
	p := standin.NewAWS("6.83.4")
	_, err := p.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: props(t, map[string]any{
		"region": "eu-west-1", "allowedAccountIds": `["111122223333"]`,
	})})
	require.NoError(t, err)
	return p
}

func TestDiffReplacesOnlyWhereAWSForcesIt(t *testing.T) {
	p := configured(t)
	secret := "aws:secretsmanager/secret:Secret"
	old := map[string]any{"name": "/prod/app/stripe", "description": "Stripe key", "kmsKeyId": "arn:key"}
	tests := []struct {
		name        string
		typ         string
		news        map[string]any
		wantChanges pulumirpc.DiffResponse_DiffChanges
		wantReplace []string
	}{
		{"nothing changed", secret, old, pulumirpc.DiffResponse_DIFF_NONE, nil},
		{"description: updated in place", secret, with(old, "description", "Stripe restricted key"), pulumirpc.DiffResponse_DIFF_SOME, nil},
		{"name: replaced", secret, with(old, "name", "/prod/app/stripe2"), pulumirpc.DiffResponse_DIFF_SOME, []string{"name"}},
		{"key of a KMS key: replaced", "aws:kms/key:Key", with(old, "keyUsage", "SIGN_VERIFY"), pulumirpc.DiffResponse_DIFF_SOME, []string{"keyUsage"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			olds := old
			if tt.typ != secret {
				olds = with(old, "keyUsage", "ENCRYPT_DECRYPT")
			}
			resp, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{
				Urn: urn(tt.typ, "x"), OldInputs: props(t, olds), Olds: props(t, olds), News: props(t, tt.news),
			})
			require.NoError(t, err)
			assert.Equal(t, tt.wantChanges, resp.GetChanges())
			assert.Equal(t, tt.wantReplace, resp.GetReplaces())
		})
	}
}

func TestDiffRefusesToGuessForAnUnknownType(t *testing.T) {
	_, err := configured(t).Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn: urn("aws:s3/bucket:Bucket", "x"), OldInputs: props(t, map[string]any{"bucket": "a"}), News: props(t, map[string]any{"bucket": "b"}),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aws:s3/bucket:Bucket")
}

func TestCreateKeepsSecretsSecretAndFillsWhatAWSComputes(t *testing.T) {
	p := configured(t)
	in := resource.PropertyMap{
		"secretId":     resource.NewProperty("arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/x-AbCdEf"),
		"secretString": resource.MakeSecret(resource.NewProperty("s3cr3t-value")),
	}
	s, err := plugin.MarshalProperties(in, opts)
	require.NoError(t, err)
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn("aws:secretsmanager/secretVersion:SecretVersion", "v"), Properties: s})
	require.NoError(t, err)
	out := read(t, resp.GetProperties())
	assert.True(t, out["secretString"].IsSecret(), "secretString: got plain, want secret")
	assert.NotEmpty(t, out["versionId"].StringValue())
	assert.True(t, strings.HasPrefix(resp.GetId(), in["secretId"].StringValue()+"|"), "id %q: want secretId|versionId", resp.GetId())

	// A plain secretString comes back secret too: the provider's schema marks it sensitive.
	plain := props(t, map[string]any{"secretId": "arn:x", "secretString": "plain"})
	resp, err = p.Create(context.Background(), &pulumirpc.CreateRequest{Urn: urn("aws:secretsmanager/secretVersion:SecretVersion", "w"), Properties: plain})
	require.NoError(t, err)
	assert.True(t, read(t, resp.GetProperties())["secretString"].IsSecret(), "sensitive output: got plain, want secret")
}

func TestCreateUsesTheConfiguredAccountAndRegion(t *testing.T) {
	p := configured(t)
	resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urn("aws:secretsmanager/secret:Secret", "s"), Properties: props(t, map[string]any{"name": "/prod/app/stripe"}),
	})
	require.NoError(t, err)
	arn := read(t, resp.GetProperties())["arn"].StringValue()
	assert.Regexp(t, `^arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-[A-Za-z0-9]{6}$`, arn)

	other := standin.NewAWS("6.83.4")
	_, err = other.Configure(context.Background(), &pulumirpc.ConfigureRequest{Args: props(t, map[string]any{
		"region": "eu-west-1", "assumeRole": map[string]any{"roleArn": "arn:aws:iam::444455556666:role/deploy"},
	})})
	require.NoError(t, err)
	resp, err = other.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urn("aws:iam/policy:Policy", "p"), Properties: props(t, map[string]any{"name": "consumer"}),
	})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:iam::444455556666:policy/consumer", resp.GetId(), "a provider assuming a role deploys into the role's account")
}

func TestPreviewLeavesComputedOutputsUnknown(t *testing.T) {
	resp, err := configured(t).Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urn("aws:kms/key:Key", "k"), Properties: props(t, map[string]any{"description": "k"}), Preview: true,
	})
	require.NoError(t, err)
	out := read(t, resp.GetProperties())
	_, has := out["arn"]
	assert.False(t, has, "preview: got an arn, want none until the key exists")
}

func TestInvokeFailsForAFunctionItDoesNotKnow(t *testing.T) {
	_, err := configured(t).Invoke(context.Background(), &pulumirpc.InvokeRequest{Tok: "aws:ec2/getInstance:getInstance", Args: props(t, nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "aws:ec2/getInstance:getInstance")
}

func TestRandomIntegerDrawsFromItsRange(t *testing.T) {
	p := standin.NewRandom("4.21.1")
	for _, r := range [][2]int{{7, 7}, {0, 22}} {
		resp, err := p.Create(context.Background(), &pulumirpc.CreateRequest{
			Urn: urn("random:index/randomInteger:RandomInteger", "slot"), Properties: props(t, map[string]any{"min": r[0], "max": r[1]}),
		})
		require.NoError(t, err)
		result := read(t, resp.GetProperties())["result"]
		require.True(t, result.IsNumber(), "result: got %v, want a number", result)
		n := int(result.NumberValue())
		assert.True(t, n >= r[0] && n <= r[1], "got %d, want it in [%d, %d]", n, r[0], r[1])
		assert.Equal(t, fmt.Sprint(n), resp.GetId(), "random_integer's id is its result")
	}
	_, err := p.Create(context.Background(), &pulumirpc.CreateRequest{
		Urn: urn("random:index/randomPassword:RandomPassword", "pw"), Properties: props(t, map[string]any{"length": 32}),
	})
	assert.Error(t, err, "the program generates no password with pulumi-random; the stand-in refuses one")

	diff, err := p.Diff(context.Background(), &pulumirpc.DiffRequest{
		Urn:       urn("random:index/randomInteger:RandomInteger", "slot"),
		OldInputs: props(t, map[string]any{"min": 1, "max": 1}), News: props(t, map[string]any{"min": 2, "max": 2}),
	})
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"min", "max"}, diff.GetReplaces(), "every random_integer argument forces a new value")
}

func with(m map[string]any, k string, v any) map[string]any {
	out := map[string]any{}
	for key, val := range m {
		out[key] = val
	}
	out[k] = v
	return out
}
