package config

// ExternalSecret is a secret made and owned elsewhere, perhaps in another
// account, that workloads of this stack read. The program grants its
// workloads the same least-privilege read as for catalog secrets and changes
// nothing on the secret or its key: it lists the statements their owners
// add (stack output changesForResourceOwners).
type ExternalSecret struct {
	// Name is the secret's name, as in its ARN; workloads[].secrets name it.
	Name string
	// ARN is the secret's complete ARN.
	ARN string
	// KmsKeyARN is the customer-managed key the secret is encrypted with.
	KmsKeyARN string
	// Description says what it is, for the plan and the outputs.
	Description string
}

// Account is the account that owns the secret.
func (e ExternalSecret) Account() string {
	p, _ := ParseSecretARN(e.ARN)
	return p.Account
}

// External returns the external secret with the given name.
func (c Config) External(name string) (ExternalSecret, bool) {
	for _, e := range c.ExternalSecrets {
		if e.Name == name {
			return e, true
		}
	}
	return ExternalSecret{}, false
}
