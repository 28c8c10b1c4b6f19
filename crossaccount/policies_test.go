package crossaccount_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/crossaccount"
	"github.com/acme/secrets-platform/iam"
)

const (
	account     = "111122223333"
	consumer    = "444455556666"
	consumerArn = "arn:aws:iam::444455556666:role/messaging-sender"
	sharedArn   = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/integrations/twilio-AbCdEf"
)

func TestCheckActions(t *testing.T) {
	tests := []struct {
		actions []string
		wantErr string
	}{
		{actions: iam.ReadActions()},
		{actions: []string{"secretsmanager:GetSecretValue"}},
		{actions: []string{"secretsmanager:GetSecretValue", "secretsmanager:PutResourcePolicy"}, wantErr: "must never manage a secret's resource policy"},
		{actions: []string{"secretsmanager:deleteresourcepolicy"}, wantErr: "must never manage a secret's resource policy"},
		{actions: []string{"secretsmanager:PutSecretValue"}, wantErr: "want only"},
		{actions: []string{"secretsmanager:*"}, wantErr: "want only"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.actions, ","), func(t *testing.T) {
			err := crossaccount.CheckActions(tt.actions)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr, "error, got/want substring")
		})
	}
}

func TestResourcePolicy(t *testing.T) {
	tests := []struct {
		name    string
		grants  []crossaccount.Grant
		wantOrg iam.Strings
	}{
		{name: "with organization", grants: []crossaccount.Grant{{Name: "messaging", PrincipalARN: consumerArn, OrgID: "o-a1b2c3d4e5"}}, wantOrg: iam.Strings{"o-a1b2c3d4e5"}},
		{name: "without organization", grants: []crossaccount.Grant{{Name: "messaging", PrincipalARN: consumerArn}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := crossaccount.ResourcePolicy(sharedArn, iam.ReadActions(), tt.grants)
			require.NoError(t, err)
			require.Len(t, doc.Statement, 1)
			st := doc.Statement[0]
			assert.Equal(t, "ReadByMessaging", st.Sid)
			assert.Equal(t, iam.Strings{consumerArn}, st.Principal.AWS, "principal, got/want")
			assert.False(t, st.Principal.Any)
			assert.Equal(t, iam.Strings(iam.ReadActions()), st.Action)
			assert.Equal(t, iam.Strings{sharedArn}, st.Resource)
			assert.Equal(t, tt.wantOrg, st.Condition["StringEquals"]["aws:PrincipalOrgID"], "org condition, got/want")
		})
	}
	_, err := crossaccount.ResourcePolicy(sharedArn, []string{"secretsmanager:PutResourcePolicy"}, []crossaccount.Grant{{Name: "m", PrincipalARN: consumerArn}})
	assert.Error(t, err, "a policy-management action must be refused")
	_, err = crossaccount.ResourcePolicy(sharedArn, iam.ReadActions(), nil)
	assert.Error(t, err, "a policy with no grant must be refused")
}

func TestKeyStatements(t *testing.T) {
	cfg := config.Config{Region: "eu-west-1", CrossAccount: []config.ExternalPrincipal{
		{Name: "messaging", AccountID: consumer, RoleName: "messaging-sender", OrgID: "o-a1b2c3d4e5",
			Secrets: []string{"/prod/integrations/twilio", "/prod/app/openai"}},
		{Name: "audit", AccountID: "777788889999", RoleName: "auditor", Secrets: []string{"/prod/app/openai"}},
	}}
	sts := crossaccount.KeyStatements(cfg, iam.Account{ID: account, Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"})
	require.Len(t, sts, 2)
	tests := []struct {
		sid, principal, caller string
		org, patterns          iam.Strings
	}{
		{"DecryptSharedSecretsForMessaging", consumerArn, consumer, iam.Strings{"o-a1b2c3d4e5"}, iam.Strings{
			"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/integrations/twilio-??????",
			"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai-??????"}},
		{"DecryptSharedSecretsForAudit", "arn:aws:iam::777788889999:role/auditor", "777788889999", nil, iam.Strings{
			"arn:aws:secretsmanager:eu-west-1:111122223333:secret:/prod/app/openai-??????"}},
	}
	for i, tt := range tests {
		t.Run(tt.sid, func(t *testing.T) {
			st := sts[i]
			assert.Equal(t, tt.sid, st.Sid)
			assert.Equal(t, iam.Strings{tt.principal}, st.Principal.AWS)
			assert.Equal(t, iam.Strings{"kms:Decrypt"}, st.Action, "key grant actions, got/want Decrypt only")
			eq := st.Condition["StringEquals"]
			assert.Equal(t, iam.Strings{"secretsmanager.eu-west-1.amazonaws.com"}, eq["kms:ViaService"])
			assert.Equal(t, iam.Strings{tt.caller}, eq["kms:CallerAccount"])
			assert.Equal(t, tt.org, eq["aws:PrincipalOrgID"])
			assert.Equal(t, tt.patterns, st.Condition["StringLike"][iam.EncryptionContextSecretARN])
		})
	}
	assert.Empty(t, crossaccount.KeyStatements(config.Config{Region: "eu-west-1"}, iam.Account{ID: account, Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"}),
		"a stack that shares nothing adds no key statement")
}
