package config

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/mockrun"
)

// accessExtraConfig is a valid config of the shape the committed prod stack has.
func accessExtraConfig() Config {
	return Config{
		Secrets: []Secret{
			{Name: "/prod/app/stripe"},
			{Name: "/prod/integrations/twilio", AdminSecret: "/prod/integrations/twilio-admin"},
			{Name: "/prod/integrations/twilio-admin"},
		},
		Workloads: []Workload{
			{Key: "secrets-platform:workloads[0]", Name: "api", Type: ECS, Secrets: []string{"/prod/app/stripe"}},
			{Key: "secrets-platform:workloads[1]", Name: "reporting", Type: ExistingRole, RoleARN: "arn:aws:iam::111122223333:role/reporting", Secrets: []string{"/prod/app/stripe"}},
		},
		CrossAccount: []ExternalPrincipal{{Name: "messaging", AccountID: "444455556666", RoleName: "sender",
			Secrets: []string{"/prod/integrations/twilio"}, DeployRoleARN: "arn:aws:iam::444455556666:role/deploy"}},
	}
}

func TestCheckAccessExtra(t *testing.T) {
	pinned := Raw{Values: map[string]string{"aws:allowedAccountIds": `["111122223333"]`}}
	tests := []struct {
		name     string
		raw      Raw
		edit     func(*Config)
		wantKey  string
		wantText string
	}{
		{name: "valid", raw: pinned, edit: func(*Config) {}},
		{name: "valid without pinned accounts", raw: Raw{}, edit: func(c *Config) {
			c.Workloads[1].RoleARN = "arn:aws:iam::999999999999:role/reporting"
		}},
		{name: "workload reads an admin credential", raw: pinned, edit: func(c *Config) {
			c.Workloads[0].Secrets = append(c.Workloads[0].Secrets, "/prod/integrations/twilio-admin")
		}, wantKey: "secrets-platform:workloads[0].secrets[1]", wantText: "only its rotator reads it"},
		{name: "admin credential shared with another account", raw: pinned, edit: func(c *Config) {
			c.CrossAccount[0].Secrets = []string{"/prod/integrations/twilio-admin"}
		}, wantKey: "secrets-platform:crossAccount[0].secrets[0]", wantText: "admin credential of /prod/integrations/twilio"},
		{name: "secret listed twice", raw: pinned, edit: func(c *Config) {
			c.Workloads[0].Secrets = []string{"/prod/app/stripe", "/prod/app/stripe"}
		}, wantKey: "secrets-platform:workloads[0].secrets[1]", wantText: "each secret once"},
		{name: "existing role in another account", raw: pinned, edit: func(c *Config) {
			c.Workloads[1].RoleARN = "arn:aws:iam::444455556666:role/reporting"
		}, wantKey: "secrets-platform:workloads[1].roleArn", wantText: "crossAccount principal"},
		{name: "sharing with this account", raw: pinned, edit: func(c *Config) {
			c.CrossAccount[0].AccountID = "111122223333"
			c.CrossAccount[0].DeployRoleARN = ""
		}, wantKey: "secrets-platform:crossAccount[0].accountId", wantText: "declare a workload"},
		{name: "deploy role in a third account", raw: pinned, edit: func(c *Config) {
			c.CrossAccount[0].DeployRoleARN = "arn:aws:iam::777788889999:role/deploy"
		}, wantKey: "secrets-platform:crossAccount[0].deployRoleArn", wantText: "a role in account 444455556666"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := accessExtraConfig()
			tt.edit(&c)
			ps := &problems{}
			checkAccessExtra(tt.raw, c, ps)
			if tt.wantKey == "" {
				assert.Empty(t, ps.list, "problems, got %v, want none", ps.list)
				return
			}
			if assert.Len(t, ps.list, 1, "problems, got %v, want one", ps.list) {
				assert.Equal(t, tt.wantKey, ps.list[0].Key, "problem key, got/want")
				assert.True(t, strings.Contains(ps.list[0].Allowed, tt.wantText), "problem text, got %q, want it to contain %q", ps.list[0].Allowed, tt.wantText)
			}
		})
	}
}

// TestCommittedStacksPassAccessExtra: wiring checkAccessExtra into Parse
// refuses none of the committed stacks.
func TestCommittedStacksPassAccessExtra(t *testing.T) {
	names, err := mockrun.StackNames("..")
	require.NoError(t, err)
	for _, n := range names {
		t.Run(n, func(t *testing.T) {
			st, err := mockrun.LoadStack("..", n)
			require.NoError(t, err)
			raw := Raw{Stack: n, Values: st.Config, Secret: map[string]bool{}}
			c, err := Parse(raw)
			require.NoError(t, err)
			require.NotEmpty(t, c.Workloads)
			ps := &problems{}
			checkAccessExtra(raw, c, ps)
			assert.Empty(t, ps.list, "stack %s: problems, got %v, want none", n, ps.list)
		})
	}
}
