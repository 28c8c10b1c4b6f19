package config

import (
	"fmt"
	"slices"
	"strings"
)

func parseDatabase(raw Raw, c Config, ps *problems) *Database {
	dbSecrets := slices.DeleteFunc(slices.Clone(c.Secrets), func(s Secret) bool { return s.Kind != KindDatabase })
	var r rawDatabase
	if !decodeKey(raw, "database", &r, ps) {
		for _, s := range dbSecrets {
			ps.add(key("database"), "(unset)", "a database block for the secret %s of kind database", s.Name)
		}
		return nil
	}
	k := key("database")
	d := &Database{
		SecretName:               r.SecretName,
		EngineVersion:            orDefault(r.EngineVersion, "16"),
		InstanceClass:            orDefault(r.InstanceClass, "db.t4g.micro"),
		AllocatedStorageGB:       orDefaultInt(r.AllocatedStorageGB, 20),
		MaxAllocatedStorageGB:    orDefaultInt(r.MaxAllocatedStorageGB, 100),
		DBName:                   orDefault(r.DBName, "app"),
		Username:                 orDefault(r.Username, "app"),
		MasterUsername:           orDefault(r.MasterUsername, "dbadmin"),
		Grants:                   r.Grants,
		WorkloadSecurityGroupIDs: r.WorkloadSecurityGroupIDs,
		OwnerChangesApplied:      r.OwnerChangesApplied,
		MultiAZ:                  c.Strict(),
		BackupRetentionDays:      7,
	}
	if r.Migration != nil {
		d.Migration = parseMigration(k+".migration", r.Migration, d, c, ps)
	}
	if d.Grants == nil && d.Migration == nil {
		// With a migration login the application's DML comes from its
		// default privileges, on the schema's objects only.
		d.Grants = []string{"pg_read_all_data", "pg_write_all_data"}
	}
	if !c.Strict() {
		d.BackupRetentionDays = 1
	}
	if r.BackupRetentionDays != nil {
		d.BackupRetentionDays = *r.BackupRetentionDays
	}
	if r.MultiAZ != nil {
		d.MultiAZ = *r.MultiAZ
	}

	if s, ok := c.Secret(d.SecretName); !ok || s.Kind != KindDatabase {
		ps.add(k+".secretName", d.SecretName, "the name of the catalog secret of kind database")
	}
	for _, s := range dbSecrets {
		if !d.Holds(s.Name) {
			ps.add(s.Key+".kind", s.Kind, "a secret of kind database only as %s.secretName or %s.migration.secretName (one database per stack, its application and migration logins)", k, k)
		}
	}
	if r.Existing != nil {
		d.Existing = parseExisting(k, r, raw, c, ps)
		// The instance is its owner's: none of its settings are this stack's.
		d.EngineVersion, d.InstanceClass, d.MasterUsername = "", "", ""
		d.AllocatedStorageGB, d.MaxAllocatedStorageGB, d.BackupRetentionDays, d.MultiAZ = 0, 0, 0, false
	} else {
		checkInstance(k, d, c, ps)
	}
	for name, v := range map[string]string{"dbName": d.DBName, "username": d.Username} {
		if !identPattern.MatchString(v) {
			ps.add(k+"."+name, v, "a lowercase PostgreSQL identifier: letters, digits and _, starting with a letter or _")
		}
	}
	for i, g := range d.Grants {
		switch {
		case !identPattern.MatchString(g):
			ps.add(fmt.Sprintf("%s.grants[%d]", k, i), g, "a PostgreSQL role name such as pg_read_all_data")
		case slices.Contains(privilegedRoles(), g) || g == d.MasterUsername:
			ps.add(fmt.Sprintf("%s.grants[%d]", k, i), g, "a role that is not privileged: never %s or the master user %s (the application would gain superuser, replication, server-file or role-management rights)", strings.Join(privilegedRoles(), ", "), d.MasterUsername)
		case d.Migration != nil && baseRole(g) == d.Migration.Username:
			ps.add(fmt.Sprintf("%s.grants[%d]", k, i), g, "a role other than the migration login %s and its clone (the application would own the schema: create, alter and drop)", d.Migration.Username)
		case baseRole(g) == d.Username:
			ps.add(fmt.Sprintf("%s.grants[%d]", k, i), g, "a role other than the application's own login %s and its clone", d.Username)
		}
	}
	for i, sg := range d.WorkloadSecurityGroupIDs {
		if !sgIDPattern.MatchString(sg) {
			ps.add(fmt.Sprintf("%s.workloadSecurityGroupIds[%d]", k, i), sg, "a security group id, sg-<hex>")
		}
	}
	d.Network = parseNetwork(k+".network", r.Network, ps)
	d.Network.Endpoint = parseEndpoint(k+".network", r.Network, d.Network, ps)
	checkForeignNetwork(k, r, d, ps)
	if len(d.WorkloadSecurityGroupIDs) > 0 && d.Network.CreatesVPC() {
		// A group that exists already lives in another VPC: AWS refuses rules
		// across VPCs, and its tasks could not route to a new private VPC.
		ps.add(k+".workloadSecurityGroupIds", fmt.Sprint(d.WorkloadSecurityGroupIDs), "only with network.vpcId: workload security groups must be in the database's VPC (a VPC this stack creates has no workloads yet)")
	}
	return d
}

// checkInstance validates the settings of an instance the program creates.
func checkInstance(k string, d *Database, c Config, ps *problems) {
	if !versionPattern.MatchString(d.EngineVersion) {
		ps.add(k+".engineVersion", d.EngineVersion, "a PostgreSQL major version such as 16: RDS upgrades minor versions itself, and a pinned minor would make the next pulumi up after an upgrade try a downgrade")
	}
	if !classPattern.MatchString(d.InstanceClass) {
		ps.add(k+".instanceClass", d.InstanceClass, "an RDS instance class such as db.t4g.micro")
	}
	if d.AllocatedStorageGB < 20 || d.MaxAllocatedStorageGB < d.AllocatedStorageGB {
		ps.add(k+".allocatedStorageGb", d.AllocatedStorageGB, "at least 20, and maxAllocatedStorageGb (%d) at least as much", d.MaxAllocatedStorageGB)
	}
	switch {
	case c.Strict() && d.BackupRetentionDays < 7:
		ps.add(k+".backupRetentionDays", d.BackupRetentionDays, "7 to 35 days in a strict stack")
	case d.BackupRetentionDays < 1 || d.BackupRetentionDays > 35:
		ps.add(k+".backupRetentionDays", d.BackupRetentionDays, "1 to 35 days")
	}
	if c.Strict() && !d.MultiAZ {
		ps.add(k+".multiAz", d.MultiAZ, "true in a strict stack")
	}
	if !identPattern.MatchString(d.MasterUsername) {
		ps.add(k+".masterUsername", d.MasterUsername, "a lowercase PostgreSQL identifier: letters, digits and _, starting with a letter or _")
	}
	if d.Username == d.MasterUsername {
		ps.add(k+".username", d.Username, "a user other than the master user (applications never log in as master)")
	}
}

func parseNetwork(k string, r *rawNetwork, ps *problems) Network {
	n := Network{CIDR: "10.40.0.0/16", AZCount: 2}
	if r == nil {
		return n
	}
	if r.VpcID != "" {
		n = Network{VpcID: r.VpcID, SubnetIDs: r.SubnetIDs}
		if !vpcIDPattern.MatchString(r.VpcID) {
			ps.add(k+".vpcId", r.VpcID, "a VPC id, vpc-<hex>")
		}
		if len(r.SubnetIDs) < 2 {
			ps.add(k+".subnetIds", fmt.Sprint(r.SubnetIDs), "at least two private subnets in different AZs")
		}
		for i, s := range r.SubnetIDs {
			if !subnetIDPattern.MatchString(s) {
				ps.add(fmt.Sprintf("%s.subnetIds[%d]", k, i), s, "a subnet id, subnet-<hex>")
			}
		}
		if r.CIDR != "" || r.AZCount != 0 {
			ps.add(k, "(cidr/azCount with vpcId)", "either vpcId+subnetIds (existing VPC) or cidr+azCount (new VPC)")
		}
		return n
	}
	if len(r.SubnetIDs) > 0 {
		ps.add(k+".subnetIds", fmt.Sprint(r.SubnetIDs), "only with vpcId")
	}
	n.CIDR = orDefault(r.CIDR, n.CIDR)
	n.AZCount = orDefaultInt(r.AZCount, n.AZCount)
	if !cidrPattern.MatchString(n.CIDR) {
		ps.add(k+".cidr", n.CIDR, "a private /16 of the form 10.N.0.0/16")
	}
	if n.AZCount < 2 || n.AZCount > 3 {
		ps.add(k+".azCount", n.AZCount, "2 or 3")
	}
	return n
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func orDefaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// privilegedRoles are the predefined PostgreSQL and RDS roles that give more
// than data access: superuser-like rights, replication, password management,
// server files and programs, signals to other sessions. The rotator also
// refuses, at grant time, any role with SUPERUSER, CREATEROLE or REPLICATION.
func privilegedRoles() []string {
	return []string{
		"rds_superuser", "rds_replication", "rds_password", "rdsadmin", "rdsrepladmin",
		"pg_execute_server_program", "pg_read_server_files", "pg_write_server_files",
		"pg_signal_backend", "pg_checkpoint", "pg_create_subscription", "postgres",
	}
}
