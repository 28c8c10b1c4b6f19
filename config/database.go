package config

// Database is the managed PostgreSQL. Strict stacks always get multi-AZ,
// deletion protection, a final snapshot and at least 7 days of backups.
type Database struct {
	// SecretName is the catalog entry (kind database) holding the application
	// user's credentials.
	SecretName string
	// EngineVersion is the PostgreSQL version, e.g. "16.4".
	EngineVersion string
	// InstanceClass, e.g. db.t4g.micro.
	InstanceClass string
	// AllocatedStorageGB and MaxAllocatedStorageGB bound storage autoscaling.
	AllocatedStorageGB    int
	MaxAllocatedStorageGB int
	// BackupRetentionDays: at least 7 in strict stacks.
	BackupRetentionDays int
	// MultiAZ: forced on in strict stacks.
	MultiAZ bool
	// DBName is the database the application uses.
	DBName string
	// Username is the application's login role (the rotator creates it).
	Username string
	// MasterUsername is the RDS master user, whose password RDS manages.
	MasterUsername string
	// Grants are the roles granted to the application user (e.g.
	// pg_read_all_data); none by default with a migration login, whose
	// default privileges give the application its DML.
	Grants []string
	// Migration is the login that owns the application schema; nil when
	// the application's login runs its own migrations.
	Migration *Migration
	// Network is where the database lives.
	Network Network
	// WorkloadSecurityGroupIDs may reach the database on its port and the
	// Secrets Manager endpoint, when the program creates them.
	WorkloadSecurityGroupIDs []string
	// Existing names an instance made elsewhere; nil when the program
	// creates the instance. The instance fields above are then unset.
	Existing *ExistingDatabase
	// OwnerChangesApplied says the owners of the existing resources made the
	// changes the stack output changesForResourceOwners lists; until then
	// the database secret's rotation waits (Config.AwaitingPrerequisite).
	OwnerChangesApplied bool
}

// Migration is the login schema migrations run with: it owns what is created
// in the public schema of DBName (DDL), while the application's login
// (Username) reads and writes that and creates nothing (DML). Its
// credentials are a catalog secret of kind database of their own, rotated
// like the application's.
type Migration struct {
	// SecretName is the catalog entry (kind database) holding its
	// credentials.
	SecretName string
	// Username is its login role (the rotator creates it).
	Username string
}

// Secrets lists the catalog entries holding this database's logins: the
// application's, then the migration login's.
func (d Database) Secrets() []string {
	out := []string{d.SecretName}
	if d.Migration != nil {
		out = append(out, d.Migration.SecretName)
	}
	return out
}

// Holds reports whether the catalog entry name holds one of the database's
// logins (Secrets).
func (d Database) Holds(name string) bool {
	return name == d.SecretName || (d.Migration != nil && name == d.Migration.SecretName)
}

// Login is the login role of one of the database's secrets and the roles
// granted to it, and false for a secret that is not one of them.
func (d Database) Login(secretName string) (username string, grants []string, ok bool) {
	switch {
	case secretName == d.SecretName:
		return d.Username, d.Grants, true
	case d.Migration != nil && secretName == d.Migration.SecretName:
		// The migration login owns what it creates; it needs no role.
		return d.Migration.Username, nil, true
	}
	return "", nil, false
}

// SchemaSplit is the migration login and the application's login, which
// split the public schema of DBName between them; "", "" without a
// migration login.
func (d Database) SchemaSplit() (owner, user string) {
	if d.Migration == nil {
		return "", ""
	}
	return d.Migration.Username, d.Username
}

// OwnerChangesNeeded reports whether a resource the program did not create
// must change for the rotator to work: an existing instance's security group
// must admit the rotator, and so must an existing endpoint's.
func (d Database) OwnerChangesNeeded() bool {
	return d.Existing != nil || d.Network.Endpoint.Mode == EndpointExisting
}

// Network is an existing VPC with private subnets, or a new private VPC.
type Network struct {
	// VpcID and SubnetIDs name an existing VPC and its private subnets (two AZs at least).
	VpcID     string
	SubnetIDs []string
	// CIDR is the block of the VPC the program creates when VpcID is empty.
	CIDR string
	// AZCount is how many AZs the created VPC spans (at least 2).
	AZCount int
	// Endpoint is how rotators reach Secrets Manager from the subnets.
	Endpoint Endpoint
}

// CreatesVPC reports whether the program creates the VPC.
func (n Network) CreatesVPC() bool { return n.VpcID == "" }
