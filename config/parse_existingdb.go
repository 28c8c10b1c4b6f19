package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
)

// instanceIDPattern is an RDS instance identifier.
var instanceIDPattern = regexp.MustCompile(`^[a-z](-?[a-z0-9])*$`)

// parseExisting reads database.existing and refuses the settings that would
// describe an instance the program creates: an existing instance's engine,
// size, backups, availability and master user are its owner's.
func parseExisting(k string, r rawDatabase, raw Raw, c Config, ps *problems) *ExistingDatabase {
	e := &ExistingDatabase{InstanceIdentifier: r.Existing.InstanceIdentifier, MasterSecretARN: r.Existing.MasterSecretARN}
	if len(e.InstanceIdentifier) > 63 || !instanceIDPattern.MatchString(e.InstanceIdentifier) {
		ps.add(k+".existing.instanceIdentifier", e.InstanceIdentifier, "the RDS identifier of the instance: 1-63 lowercase letters, digits and single hyphens, starting with a letter")
	}
	checkSecretARN(k+".existing.masterSecretArn", e.MasterSecretARN, "", c.Region, ownAccounts(raw), ps)
	for _, s := range c.Secrets {
		if s.AdoptARN != "" && s.AdoptARN == e.MasterSecretARN {
			ps.add(k+".existing.masterSecretArn", e.MasterSecretARN, "a secret other than the catalog entry %s: the master secret stays its owner's", s.Name)
		}
	}
	owned := map[string]bool{
		"engineVersion": r.EngineVersion != "", "instanceClass": r.InstanceClass != "",
		"allocatedStorageGb": r.AllocatedStorageGB != 0, "maxAllocatedStorageGb": r.MaxAllocatedStorageGB != 0,
		"backupRetentionDays": r.BackupRetentionDays != nil, "multiAz": r.MultiAZ != nil,
		"masterUsername": r.MasterUsername != "",
	}
	for _, f := range sortedTrue(owned) {
		ps.add(k+"."+f, "(set)", "unset with database.existing: the existing instance's %s is its owner's, and the program never changes it", f)
	}
	if r.Network == nil || r.Network.VpcID == "" {
		ps.add(k+".network.vpcId", "(unset)", "the VPC of the existing instance, with subnetIds the rotator may run in (an existing instance never lives in a VPC this stack creates)")
	}
	return e
}

// checkForeignNetwork refuses what cannot work with the resources the
// program does not create, and an acknowledgement of changes nobody needs.
func checkForeignNetwork(k string, r rawDatabase, d *Database, ps *problems) {
	if d.Existing != nil && !d.Network.Endpoint.Creates() && len(d.WorkloadSecurityGroupIDs) > 0 {
		ps.add(k+".workloadSecurityGroupIds", fmt.Sprint(d.WorkloadSecurityGroupIDs),
			"unset when both the database and the endpoint exist already: the program would create nothing for the workloads to reach (their owners admit workloads)")
	}
	if r.OwnerChangesApplied && !d.OwnerChangesNeeded() {
		ps.add(k+".ownerChangesApplied", true, "only with database.existing or an existing endpoint, whose owners must admit the rotator; this stack creates every resource its rotator needs")
	}
}

func sortedTrue(m map[string]bool) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if m[k] {
			out = append(out, k)
		}
	}
	return out
}
