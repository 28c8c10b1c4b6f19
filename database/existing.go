package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// existingInstance is what the program reads of an instance it did not create.
type existingInstance struct {
	host, arn      string
	port           int
	securityGroups []string
	findings       []OwnerChange
}

// lookupInstance reads an existing instance. It refuses one that is not
// PostgreSQL, one with no security group to admit the rotator, and an
// application user that is the instance's master user (the rotator would
// then rotate, and clone, the master login).
func lookupInstance(ctx *pulumi.Context, e config.ExistingDatabase, d config.Database, strict bool, parent pulumi.Resource) (existingInstance, error) {
	id := e.InstanceIdentifier
	got, err := rds.LookupInstance(ctx, &rds.LookupInstanceArgs{DbInstanceIdentifier: &id}, pulumi.Parent(parent))
	if err != nil {
		return existingInstance{}, fmt.Errorf("look up database.existing.instanceIdentifier %s: %w", id, err)
	}
	switch {
	case got.Engine != "postgres":
		return existingInstance{}, fmt.Errorf("database.existing.instanceIdentifier %s: engine %q, want postgres", id, got.Engine)
	case len(got.VpcSecurityGroups) == 0:
		return existingInstance{}, fmt.Errorf("database.existing.instanceIdentifier %s: no VPC security group to admit the rotator", id)
	case got.MasterUsername == d.Username:
		return existingInstance{}, fmt.Errorf("database.username %s is the master user of %s: applications and their rotation never use the master login", d.Username, id)
	}
	inst := existingInstance{host: got.Address, port: got.Port, arn: got.DbInstanceArn, securityGroups: got.VpcSecurityGroups}
	inst.findings = Findings(*got, strict)
	return inst, nil
}

// Findings are the changes the owner of an existing instance should make to
// meet the parts of SECURITY-RULES 14 the lookup shows, as the program
// would for an instance it creates: private, encrypted, and in a strict
// stack multi-AZ with a week of backups. The program changes none of them.
func Findings(got rds.LookupInstanceResult, strict bool) []OwnerChange {
	id := got.DbInstanceIdentifier
	res := "RDS instance " + id + " (its owner's)"
	var out []OwnerChange
	if got.PubliclyAccessible {
		out = append(out, finding(res, "make the instance private (SECURITY-RULES 14)",
			fmt.Sprintf("aws rds modify-db-instance --db-instance-identifier %s --no-publicly-accessible --apply-immediately", id)))
	}
	if !got.StorageEncrypted {
		out = append(out, finding(res, "encrypt its storage with a customer-managed key: RDS cannot encrypt an instance in place, so restore an encrypted copy of a snapshot (SECURITY-RULES 14)",
			fmt.Sprintf("aws rds copy-db-snapshot --source-db-snapshot-identifier <snapshot of %s> --target-db-snapshot-identifier %s-encrypted --kms-key-id <key>", id, id)))
	}
	if strict && got.BackupRetentionPeriod < 7 {
		out = append(out, finding(res, fmt.Sprintf("keep backups at least 7 days (now %d; SECURITY-RULES 14)", got.BackupRetentionPeriod),
			fmt.Sprintf("aws rds modify-db-instance --db-instance-identifier %s --backup-retention-period 7 --apply-immediately", id)))
	}
	if strict && !got.MultiAz {
		out = append(out, finding(res, "run multi-AZ (SECURITY-RULES 14)",
			fmt.Sprintf("aws rds modify-db-instance --db-instance-identifier %s --multi-az --apply-immediately", id)))
	}
	return out
}
