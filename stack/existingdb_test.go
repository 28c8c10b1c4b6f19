package stack_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/iam"
	"github.com/acme/secrets-platform/internal/mockrun"
	"github.com/acme/secrets-platform/internal/rules"
	"github.com/acme/secrets-platform/rotation"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/stack"
)

// TestExistingDatabaseIsLeftToItsOwner: with database.existing the stack
// manages the application user's secret, its rotator, the rotator's own
// security group and the rules on it, and the alarms; it registers nothing
// of the instance and says what the owner of its security group must add.
func TestExistingDatabaseIsLeftToItsOwner(t *testing.T) {
	st := loadExample(t)
	rec, err := mockrun.Run(st, stack.Compose)
	require.NoError(t, err)
	for _, v := range rules.Check(rec) {
		t.Errorf("%s", v)
	}
	for _, typ := range []string{mockrun.TypeRDSInstance, "aws:rds/parameterGroup:ParameterGroup", "aws:rds/subnetGroup:SubnetGroup",
		"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/vpcEndpoint:VpcEndpoint"} {
		assert.Empty(t, rec.OfType(typ), "got %s registered, want none: it exists already", typ)
	}
	groups := rec.OfType("aws:ec2/securityGroup:SecurityGroup")
	require.Len(t, groups, 1, "security groups, got/want only the rotator's")
	assert.Equal(t, "database-rotator-sg", groups[0].Name)
	rotator := groups[0].StateStr("id")
	for _, r := range rec.OfType("aws:ec2/securityGroupRule:SecurityGroupRule") {
		assert.Equal(t, rotator, r.Str("securityGroupId"), "rule %s is on a group the stack did not create", r.Name)
		assert.Equal(t, "egress", r.Str("type"), "rule %s", r.Name)
	}
	toDB := rotMust(t, rec, "database-rotator-to-db-0")
	port, _ := toDB.Int("fromPort")
	assert.Equal(t, 5432, port)

	changes := ownerChanges(t, rec)
	var dbChange *ownerChange
	for i, c := range changes {
		if strings.Contains(c.Resource, "of RDS instance prod-main") {
			dbChange = &changes[i]
		}
	}
	require.NotNil(t, dbChange, "got no change for the instance's security group in %v", changes)
	assert.Equal(t, "aws ec2 authorize-security-group-ingress --group-id "+toDB.Str("sourceSecurityGroupId")+" --protocol tcp --port 5432 --source-group "+rotator, dbChange.Command)

	// The application user's secret points at the existing instance and its
	// master secret; its rotation waits for the owners' rules.
	const master = "arn:aws:secretsmanager:eu-west-1:333344445555:secret:/prod/app/database-Mn4Bv5"
	first := rotMust(t, rec, "catalog-app-database-app-first-value")
	var value map[string]any
	require.NoError(t, json.Unmarshal([]byte(first.Str("secretString")), &value))
	assert.Regexp(t, `^prod-main\.c[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com$`, value["host"])
	assert.Equal(t, master, value["masterarn"])
	assert.Equal(t, "app", value["username"])
	assert.Contains(t, value, contract.PlaceholderKey)
	assert.Equal(t, master, outputString(t, rec, "databaseMasterSecretArn"))
	assert.Equal(t, value["host"], outputString(t, rec, "databaseHost"))
	_, ok := rec.Named("catalog-app-database-app-rotation")
	assert.False(t, ok, "got the rotation deployed before the owners admitted the rotator")
	var policy iam.Document
	comp, _ := rotServing(t, rec, "/prod/app/database-app")
	require.NoError(t, rotMust(t, rec, comp+"-policy").JSON("policy", &policy))
	found := false
	for _, s := range policy.Statement {
		found = found || (s.Sid == rotation.SidReadMasterSecret && slices.Equal(s.Resource, iam.Strings{master}))
	}
	assert.True(t, found, "the rotator reads the configured master secret")
}
