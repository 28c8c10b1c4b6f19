package config

// ExistingDatabase is an RDS PostgreSQL instance made and owned elsewhere.
// The program then manages only the application user's secret, its
// rotation, the rotator's own security group with the rules on it, and the
// alarms; it changes nothing on the instance, its security groups or its
// master secret, and lists the changes their owners must make instead.
type ExistingDatabase struct {
	// InstanceIdentifier is the instance's RDS identifier; the program looks
	// up its address, port and security groups.
	InstanceIdentifier string
	// MasterSecretARN is the secret holding the master login
	// ({"username","password"}), read by the rotator only: RDS's managed
	// master secret or one made elsewhere, in this stack's account.
	MasterSecretARN string
}
