package config

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replicaCatalog has a secret of each kind that replicates or not, and a key
// rotator with its admin credential.
const replicaCatalog = `[
	{"name":"/dev/app/session","description":"d","kind":"password"},
	{"name":"/dev/app/ring","description":"d","kind":"keyring","replicaRegions":["eu-central-1"]},
	{"name":"/dev/app/off","description":"d","kind":"password","replicaRegions":[]},
	{"name":"/dev/app/db","description":"d","kind":"database"},
	{"name":"/dev/int/twilio","description":"d","kind":"json","adminSecret":"/dev/int/twilio-admin","rotation":{"strategy":"twilio"}},
	{"name":"/dev/int/twilio-admin","description":"d","kind":"json","rotation":{"strategy":"manual","manualReason":"console only"}}
]`

func replicaRaw(extra map[string]string) Raw {
	v := map[string]string{
		"secrets-platform:secrets":        replicaCatalog,
		"secrets-platform:database":       `{"secretName":"/dev/app/db"}`,
		"secrets-platform:replicaRegions": `["us-east-1","eu-central-1"]`,
	}
	for k, x := range extra {
		v[k] = x
	}
	return raw(v)
}

func TestReplicaRegionsDefaultOverrideAndOff(t *testing.T) {
	c, err := Parse(replicaRaw(nil))
	require.NoError(t, err)
	got := map[string][]string{}
	for _, s := range c.Secrets {
		got[s.Name] = s.ReplicaRegions
	}
	assert.Equal(t, []string{"eu-central-1", "us-east-1"}, got["/dev/app/session"], "the stack's default, sorted")
	assert.Equal(t, []string{"eu-central-1"}, got["/dev/app/ring"], "an entry's list replaces the stack's")
	assert.Empty(t, got["/dev/app/off"], "[] turns replication off")
	assert.Empty(t, got["/dev/app/db"], "the default passes a database secret by")
	assert.Empty(t, got["/dev/int/twilio-admin"], "the default passes an admin credential by")
	assert.Equal(t, []string{"eu-central-1", "us-east-1"}, got["/dev/int/twilio"])
	assert.Equal(t, []string{"eu-central-1", "us-east-1"}, c.ReplicaRegionsInUse())
	assert.Equal(t, map[string]int{"eu-central-1": 3, "us-east-1": 2}, c.Replicas())

	assert.True(t, c.HasCopy("/dev/app/ring", "eu-west-1"), "the primary is a copy")
	assert.False(t, c.HasCopy("/dev/app/ring", "us-east-1"))
	assert.Equal(t, map[string][]string{
		"eu-west-1": {"/dev/app/ring", "/dev/app/off"}, "us-east-1": {"/dev/app/session"},
	}, c.ReadsByRegion([]string{"/dev/app/session", "/dev/app/ring", "/dev/app/off"}, []string{"us-east-1"}),
		"in us-east-1 a reader reads the replica there and the primary of what has none")
}

func TestReaderRegions(t *testing.T) {
	c, err := Parse(replicaRaw(map[string]string{
		"secrets-platform:workloads": `[
			{"name":"here","type":"ecs","secrets":["/dev/app/session"]},
			{"name":"both","type":"ecs","secrets":["/dev/app/session","/dev/app/ring"],"regions":["us-east-1","eu-west-1","eu-central-1"]}
		]`,
		"secrets-platform:crossAccount": `[{"name":"partner","accountId":"444455556666","roleName":"r","secrets":["/dev/int/twilio"],"regions":["us-east-1"]}]`,
	}))
	require.NoError(t, err)
	assert.Equal(t, []string{"eu-west-1"}, c.Workloads[0].Regions, "default: the stack's region")
	assert.Equal(t, []string{"eu-central-1", "eu-west-1", "us-east-1"}, c.Workloads[1].Regions)
	assert.Equal(t, []string{"us-east-1"}, c.CrossAccount[0].Regions)
}

// TestReplicaConfigErrors: each problem names the key, the value and what is
// allowed, and Parse returns no config at all.
func TestReplicaConfigErrors(t *testing.T) {
	cases := []struct {
		name   string
		values map[string]string
		key    string
		want   []string
	}{
		{"the stack's own region", map[string]string{"secrets-platform:replicaRegions": `["eu-west-1"]`},
			`secrets-platform:replicaRegions[0] = "eu-west-1"`, []string{"a region other than the stack's own (eu-west-1)", "us-east-1"}},
		{"unknown region", map[string]string{"secrets-platform:replicaRegions": `["eu-west-9"]`},
			`secrets-platform:replicaRegions[0] = "eu-west-9"`, []string{"a region of partition aws where Secrets Manager and KMS run", "eu-central-1"}},
		{"another partition", map[string]string{"secrets-platform:replicaRegions": `["cn-north-1"]`},
			`secrets-platform:replicaRegions[0] = "cn-north-1"`, []string{"partition aws"}},
		{"duplicated", map[string]string{"secrets-platform:replicaRegions": `["us-east-1","us-east-1"]`},
			`secrets-platform:replicaRegions[1] = "us-east-1"`, []string{"each region once"}},
		{"an entry's own list, unknown", map[string]string{"secrets-platform:secrets": `[{"name":"/dev/app/x","description":"d","kind":"password","replicaRegions":["mars-north-1"]}]`},
			`secrets-platform:secrets[0].replicaRegions[0] = "mars-north-1"`, []string{"partition aws"}},
		{"an entry's own list, the primary", map[string]string{"secrets-platform:secrets": `[{"name":"/dev/app/x","description":"d","kind":"password","replicaRegions":["eu-west-1"]}]`},
			`secrets-platform:secrets[0].replicaRegions[0] = "eu-west-1"`, []string{"other than the stack's own"}},
		{"a database secret", map[string]string{
			"secrets-platform:secrets":  `[{"name":"/dev/app/db","description":"d","kind":"database","replicaRegions":["us-east-1"]}]`,
			"secrets-platform:database": `{"secretName":"/dev/app/db"}`},
			`secrets-platform:secrets[0].replicaRegions = "us-east-1"`, []string{"no replicas for kind database", "reaches nothing"}},
		{"an admin credential", map[string]string{"secrets-platform:secrets": `[
			{"name":"/dev/int/t","description":"d","kind":"json","adminSecret":"/dev/int/a","rotation":{"strategy":"twilio"}},
			{"name":"/dev/int/a","description":"d","kind":"json","replicaRegions":["us-east-1"],"rotation":{"strategy":"manual","manualReason":"console"}}]`},
			`secrets-platform:secrets[1].replicaRegions = "us-east-1"`, []string{"no replicas for the admin credential of /dev/int/t"}},
		{"a workload where none of its secrets has a copy", map[string]string{
			"secrets-platform:secrets":   `[{"name":"/dev/app/x","description":"d","kind":"password"}]`,
			"secrets-platform:workloads": `[{"name":"w","type":"ecs","secrets":["/dev/app/x"],"regions":["us-east-1"]}]`},
			`secrets-platform:workloads[0].regions[0] = "us-east-1"`, []string{"the stack's region (eu-west-1) or a region one of the secrets read here is replicated to (none)"}},
		{"a workload in an unknown region", map[string]string{
			"secrets-platform:secrets":   `[{"name":"/dev/app/x","description":"d","kind":"password"}]`,
			"secrets-platform:workloads": `[{"name":"w","type":"ecs","secrets":["/dev/app/x"],"regions":["us-east-7"]}]`},
			`secrets-platform:workloads[0].regions[0] = "us-east-7"`, []string{"a region of partition aws"}},
		{"a workload with no region", map[string]string{
			"secrets-platform:secrets":   `[{"name":"/dev/app/x","description":"d","kind":"password"}]`,
			"secrets-platform:workloads": `[{"name":"w","type":"ecs","secrets":["/dev/app/x"],"regions":[]}]`},
			`secrets-platform:workloads[0].regions = "[]"`, []string{"the regions the reader runs in"}},
		{"a lambda workload in a replica region", map[string]string{
			"secrets-platform:secrets":        `[{"name":"/dev/app/x","description":"d","kind":"password"}]`,
			"secrets-platform:replicaRegions": `["us-east-1"]`,
			"secrets-platform:workloads":      `[{"name":"w","type":"lambda","secrets":["/dev/app/x"],"regions":["us-east-1"]}]`},
			`secrets-platform:workloads[0].regions = "[us-east-1]"`, []string{"only the stack's region (eu-west-1) for type lambda", "log group and extension layer"}},
		{"a principal region twice", map[string]string{
			"secrets-platform:secrets":        `[{"name":"/dev/app/x","description":"d","kind":"password"}]`,
			"secrets-platform:replicaRegions": `["us-east-1"]`,
			"secrets-platform:crossAccount":   `[{"name":"p","accountId":"444455556666","roleName":"r","secrets":["/dev/app/x"],"regions":["us-east-1","us-east-1"]}]`},
			`secrets-platform:crossAccount[0].regions[1] = "us-east-1"`, []string{"each region once"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse(raw(tc.values))
			var cerr *Error
			require.True(t, errors.As(err, &cerr), "got %v, want a config error", err)
			assert.Zero(t, c.Region, "a refused config returns no config")
			msg := err.Error()
			assert.Contains(t, msg, tc.key)
			for _, w := range tc.want {
				assert.Contains(t, msg, w)
			}
		})
	}
}
