package postgres

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseCredentials(t *testing.T) {
	const pw = "Sup3r-s3cret!"
	tests := []struct {
		name    string
		value   string
		want    credentials
		wantErr string
	}{
		{
			name:  "port as number",
			value: `{"engine":"postgres","host":"h","port":5433,"username":"u","password":"` + pw + `","dbname":"d","ssl":true}`,
			want:  credentials{Host: "h", Port: 5433, Username: "u", Password: pw, DBName: "d"},
		},
		{
			name:  "port as string, master, defaults for dbname",
			value: `{"engine":"postgres","host":"h","port":"6432","username":"u","password":"` + pw + `","masterarn":"arn:m"}`,
			want:  credentials{Host: "h", Port: 6432, Username: "u", Password: pw, DBName: "postgres", MasterARN: "arn:m"},
		},
		{
			name:  "port missing",
			value: `{"engine":"postgres","host":"h","username":"u","password":"` + pw + `"}`,
			want:  credentials{Host: "h", Port: 5432, Username: "u", Password: pw, DBName: "postgres"},
		},
		{name: "port not a number", value: `{"engine":"postgres","host":"h","port":"x","username":"u","password":"` + pw + `"}`, wantErr: "not a TCP port"},
		{name: "port out of range", value: `{"engine":"postgres","host":"h","port":70000,"username":"u","password":"` + pw + `"}`, wantErr: "not a TCP port"},
		{name: "other engine", value: `{"engine":"mysql","host":"h","username":"u","password":"` + pw + `"}`, wantErr: `engine is "mysql"`},
		{name: "no password", value: `{"engine":"postgres","host":"h","username":"u"}`, wantErr: "password is missing"},
		{name: "no host", value: `{"engine":"postgres","username":"u","password":"` + pw + `"}`, wantErr: "host is missing"},
		{name: "not JSON", value: `{"password":"` + pw + `",`, wantErr: "not a JSON object"},
		{name: "password of the wrong type", value: `{"engine":"postgres","host":"h","username":"u","password":["` + pw + `"]}`, wantErr: "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCredentials([]byte(tt.value))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assertNoLeak(t, err.Error(), pw)
				return
			}
			require.NoError(t, err)
			got.raw = nil
			assert.Equal(t, tt.want, got)
		})
	}
}

// TestWithLoginKeepsOtherFields proves Create changes only the login.
func TestWithLoginKeepsOtherFields(t *testing.T) {
	in := `{"engine":"postgres","host":"h","port":"5432","username":"u","password":"old","dbname":"d","ssl":true,"dbInstanceIdentifier":"db-1","masterarn":"arn:m"}`
	c, err := parseCredentials([]byte(in))
	require.NoError(t, err)
	out, err := c.withLogin("u_clone", "new")
	require.NoError(t, err)

	var got, want map[string]any
	require.NoError(t, json.Unmarshal(out, &got))
	require.NoError(t, json.Unmarshal([]byte(in), &want))
	want["username"], want["password"] = "u_clone", "new"
	assert.Equal(t, want, got)
}

// TestAlternate covers the flip; like AWS's template it treats a trailing
// _clone as the clone suffix, so a base role must not end in _clone.
func TestAlternate(t *testing.T) {
	tests := []struct{ user, want string }{
		{user: "app", want: "app_clone"},
		{user: "app_clone", want: "app"},
	}
	for _, tt := range tests {
		t.Run(tt.user, func(t *testing.T) {
			assert.Equal(t, tt.want, alternate(tt.user), "alternate(%q)", tt.user)
			assert.Equal(t, tt.user, alternate(alternate(tt.user)), "alternating twice returns to the start")
		})
	}
}

func TestParseMaster(t *testing.T) {
	tests := []struct {
		name    string
		value   string
		wantErr bool
	}{
		{name: "RDS-managed shape", value: `{"username":"postgres","password":"p@ss"}`},
		{name: "no password", value: `{"username":"postgres"}`, wantErr: true},
		{name: "not JSON", value: `p@ss`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseMaster([]byte(tt.value))
			if tt.wantErr {
				require.Error(t, err)
				assertNoLeak(t, err.Error(), "p@ss")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, "postgres", m.Username)
			assert.True(t, m.Password == "p@ss", "password differs from the secret's (not shown)")
		})
	}
}
