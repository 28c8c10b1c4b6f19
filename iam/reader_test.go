package iam_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
)

const (
	testKey    = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab"
	testSecret = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/stripe-AbCdEf"
	testOther  = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai-GhIjKl"
)

func readerArgs() iam.ReaderArgs {
	return iam.ReaderArgs{SecretARNs: []string{testSecret, testOther}, KeyARN: testKey,
		Account: iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}}
}

func TestReaderPolicyRefusesMissingArgs(t *testing.T) {
	tests := map[string]func(*iam.ReaderArgs){
		"no secrets": func(a *iam.ReaderArgs) { a.SecretARNs = nil },
		"no key":     func(a *iam.ReaderArgs) { a.KeyARN = "" },
		"no region":  func(a *iam.ReaderArgs) { a.Account.Region = "" },
		"no suffix":  func(a *iam.ReaderArgs) { a.Account.DNSSuffix = "" },
		"no account": func(a *iam.ReaderArgs) { a.Account.ID = "" },
	}
	for name, edit := range tests {
		t.Run(name, func(t *testing.T) {
			a := readerArgs()
			edit(&a)
			_, err := iam.ReaderPolicy(a)
			assert.Error(t, err, "got no error, want one for %s", name)
		})
	}
}

func TestReaderPolicyGrantsReadAndDecryptViaSecretsManagerOnly(t *testing.T) {
	tests := []struct {
		name      string
		stage     string
		wantStage iam.Strings
	}{
		{name: "any stage"},
		{name: "AWSCURRENT only", stage: "AWSCURRENT", wantStage: iam.Strings{"AWSCURRENT"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := readerArgs()
			a.VersionStage = tt.stage
			doc, err := iam.ReaderPolicy(a)
			require.NoError(t, err)
			require.Len(t, doc.Statement, 3)
			read, describe, decrypt := doc.Statement[0], doc.Statement[1], doc.Statement[2]

			assert.Equal(t, iam.Strings{"secretsmanager:GetSecretValue"}, read.Action)
			assert.Equal(t, iam.Strings{testOther, testSecret}, read.Resource, "read resources, got/want (sorted exact ARNs)")
			assert.Equal(t, tt.wantStage, read.Condition["StringEquals"]["secretsmanager:VersionStage"], "version stage, got/want")

			assert.Equal(t, iam.Strings{"secretsmanager:DescribeSecret"}, describe.Action)
			assert.Empty(t, describe.Condition, "DescribeSecret has no VersionStage context; a condition would deny it")

			assert.Equal(t, iam.Strings{"kms:Decrypt"}, decrypt.Action, "readers get Decrypt only")
			assert.Equal(t, iam.Strings{testKey}, decrypt.Resource)
			eq := decrypt.Condition["StringEquals"]
			assert.Equal(t, iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}, eq["kms:ViaService"])
			assert.Equal(t, iam.Strings{"111122223333"}, eq["kms:CallerAccount"])
			assert.Equal(t, iam.Strings{testOther, testSecret}, eq[iam.EncryptionContextSecretARN])

			js, err := doc.JSON()
			require.NoError(t, err)
			for _, bad := range []string{"GenerateDataKey", "PutSecretValue", "kms:*", "\"*\""} {
				assert.NotContains(t, js, bad, "reader policy, got %s in it", bad)
			}
		})
	}
}

func TestTrustPoliciesNameTheirSource(t *testing.T) {
	tests := []struct {
		name        string
		doc         iam.Document
		wantService string
		wantArnLike iam.Strings
	}{
		{"ecs tasks", iam.ECSTaskTrust(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}), iam.ECSTasksService, iam.Strings{"arn:aws:ecs:eu-west-1:111122223333:*"}},
		{"lambda", iam.LambdaTrust("111122223333"), iam.LambdaService, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Len(t, tt.doc.Statement, 1)
			st := tt.doc.Statement[0]
			assert.Equal(t, iam.Strings{tt.wantService}, st.Principal.Service)
			assert.Equal(t, iam.Strings{"sts:AssumeRole"}, st.Action)
			assert.Equal(t, iam.Strings{"111122223333"}, st.Condition["StringEquals"]["aws:SourceAccount"], "aws:SourceAccount, got/want")
			assert.Equal(t, tt.wantArnLike, st.Condition["ArnLike"]["aws:SourceArn"], "aws:SourceArn, got/want")
		})
	}
}

// TestReaderPolicyDecryptsExternalKeysForTheirSecretsOnly: the keys of
// secrets owned elsewhere join the one Decrypt statement, with the same
// conditions, so each opens only the secrets the reader may read.
func TestReaderPolicyDecryptsExternalKeysForTheirSecretsOnly(t *testing.T) {
	const external = "arn:aws:secretsmanager:eu-west-1:444455556666:secret:/prod/payments/signing-MnOpQr"
	const externalKey = "arn:aws:kms:eu-west-1:444455556666:key/5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d"
	a := readerArgs()
	a.SecretARNs = append(a.SecretARNs, external)
	a.OtherKeyARNs = []string{externalKey, externalKey}
	doc, err := iam.ReaderPolicy(a)
	require.NoError(t, err)
	require.Len(t, doc.Statement, 3)
	decrypt := doc.Statement[2]
	assert.Equal(t, iam.Strings{testKey, externalKey}, decrypt.Resource, "decrypt keys, got/want the stack's and the external one, once")
	assert.Equal(t, iam.Strings{"kms:Decrypt"}, decrypt.Action)
	assert.Contains(t, decrypt.Condition["StringEquals"][iam.EncryptionContextSecretARN], external)
	assert.Equal(t, iam.Strings{"111122223333"}, decrypt.Condition["StringEquals"]["kms:CallerAccount"], "the caller is this account's, whoever owns the key")
}
