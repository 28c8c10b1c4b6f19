package database_test

import (
	"context"
	"slices"
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/internals"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/database"
	"github.com/acme/secrets-platform/iam"
)

func TestParameterGroupFamilyFollowsTheMajorVersion(t *testing.T) {
	tests := []struct{ version, want string }{
		{"16.4", "postgres16"},
		{"15", "postgres15"},
		{"17.2", "postgres17"},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			got := database.ParameterGroupFamily(tt.version)
			assert.Equal(t, tt.want, got, "got %s, want %s", got, tt.want)
		})
	}
}

func TestParametersForceTLSAndSCRAM(t *testing.T) {
	// The rotation strategies log in over TLS and send SCRAM verifiers; rule 14
	// needs rds.force_ssl=1.
	tests := []struct{ name, want string }{
		{"rds.force_ssl", "1"},
		{"password_encryption", "scram-sha-256"},
		{"log_connections", "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := database.Parameters()[tt.name]
			require.True(t, ok, "got no %s, want %s", tt.name, tt.want)
			assert.Equal(t, tt.want, got, "got %s=%s, want %s", tt.name, got, tt.want)
		})
	}
}

func TestEndpointPolicyStaysInTheAccount(t *testing.T) {
	d := database.EndpointPolicy(iam.Account{ID: "111122223333", Partition: "aws", Region: "eu-west-1", DNSSuffix: "amazonaws.com"})
	require.NotEmpty(t, d.Statement)
	for _, s := range d.Statement {
		require.NotNil(t, s.Principal, "statement %s has a principal", s.Sid)
		assert.Equal(t, iam.Strings{"arn:aws:iam::111122223333:root"}, s.Principal.AWS, "statement %s: got %v, want this account only", s.Sid, s.Principal.AWS)
		assert.False(t, s.Principal.Any, "statement %s: got the * principal", s.Sid)
		if slices.Contains(s.Resource, "*") {
			assert.Equal(t, iam.Strings{"secretsmanager:GetRandomPassword"}, s.Action, "statement %s: got %v on *, want GetRandomPassword only", s.Sid, s.Action)
			continue
		}
		for _, r := range s.Resource {
			assert.Regexp(t, `^arn:aws:secretsmanager:eu-west-1:111122223333:secret:`, r, "statement %s: got resource %s outside this account's secrets", s.Sid, r)
		}
	}
}

func TestSecretsManagerEndpointFollowsThePartition(t *testing.T) {
	tests := []struct{ partition, region, dnsSuffix, wantService string }{
		{"aws", "eu-west-1", "amazonaws.com", "com.amazonaws.eu-west-1.secretsmanager"},
		{"aws-us-gov", "us-gov-west-1", "amazonaws.com", "com.amazonaws.us-gov-west-1.secretsmanager"},
		// Secrets Manager keeps the com.amazonaws prefix in China; only some
		// China services (ec2, lambda, sts, ...) use cn.com.amazonaws.
		{"aws-cn", "cn-north-1", "amazonaws.com.cn", "com.amazonaws.cn-north-1.secretsmanager"},
	}
	for _, tt := range tests {
		t.Run(tt.partition, func(t *testing.T) {
			acct := iam.Account{ID: "111122223333", Partition: tt.partition, Region: tt.region, DNSSuffix: tt.dnsSuffix}
			svc, err := database.SecretsManagerServiceName(acct)
			require.NoError(t, err)
			assert.Equal(t, tt.wantService, svc, "got service %s, want %s", svc, tt.wantService)
		})
	}
	_, err := database.SecretsManagerServiceName(iam.Account{Partition: "aws-iso", Region: "us-iso-east-1"})
	assert.ErrorContains(t, err, "no service name known")
}

func TestFindingsOfAnExistingInstance(t *testing.T) {
	healthy := rds.LookupInstanceResult{DbInstanceIdentifier: "prod-main", StorageEncrypted: true, MultiAz: true, BackupRetentionPeriod: 7}
	neglected := rds.LookupInstanceResult{DbInstanceIdentifier: "prod-main", PubliclyAccessible: true, BackupRetentionPeriod: 1}
	tests := []struct {
		name   string
		got    rds.LookupInstanceResult
		strict bool
		want   []string // a command substring per finding, in order
	}{
		{"healthy, strict", healthy, true, nil},
		{"neglected, strict", neglected, true, []string{"--no-publicly-accessible", "copy-db-snapshot", "--backup-retention-period 7", "--multi-az"}},
		{"neglected, disposable", neglected, false, []string{"--no-publicly-accessible", "copy-db-snapshot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := database.Findings(tt.got, tt.strict)
			require.Len(t, fs, len(tt.want), "findings, got/want")
			for i, f := range fs {
				assert.Equal(t, "RDS instance prod-main (its owner's)", f.Resource)
				cmd, err := internals.UnsafeAwaitOutput(context.Background(), f.Command)
				require.NoError(t, err)
				assert.Contains(t, cmd.Value, tt.want[i], "finding %d command, got/want substring", i)
				assert.Contains(t, cmd.Value, "prod-main")
			}
		})
	}
}
