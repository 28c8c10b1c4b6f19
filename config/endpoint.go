package config

// EndpointMode says how rotators in an existing VPC reach Secrets Manager.
// A VPC the stack creates holds nothing but the stack, so it always gets an
// endpoint with private DNS and a policy limited to this account; an existing
// VPC may be shared with other tenants, and its config chooses one of these.
type EndpointMode string

const (
	// EndpointOwnVPC is the endpoint of a VPC the stack creates: private DNS,
	// a policy limited to this account's principals and secrets.
	EndpointOwnVPC EndpointMode = ""
	// EndpointExisting uses an endpoint the VPC has already (its owner's):
	// the program changes nothing on it, points the rotators at it through
	// AWS_ENDPOINT_URL_SECRETS_MANAGER and lists the security-group rule its
	// owner must add.
	EndpointExisting EndpointMode = "existing"
	// EndpointCreate creates an endpoint without private DNS, so nothing
	// else in the VPC resolves to it; the rotators reach it through
	// AWS_ENDPOINT_URL_SECRETS_MANAGER.
	EndpointCreate EndpointMode = "create-without-private-dns"
	// EndpointCreatePrivateDNS creates an endpoint with private DNS:
	// secretsmanager.<region>.amazonaws.com then resolves to it for every
	// tenant of the VPC, so it admits the whole VPC and carries no policy of
	// its own. Config requires an acknowledgement naming the VPC.
	EndpointCreatePrivateDNS EndpointMode = "create-with-private-dns"
)

// EndpointModes lists the modes an existing VPC may choose.
func EndpointModes() []EndpointMode {
	return []EndpointMode{EndpointExisting, EndpointCreate, EndpointCreatePrivateDNS}
}

// Endpoint is the Secrets Manager interface endpoint of the database's VPC.
type Endpoint struct {
	Mode EndpointMode
	// ID is the existing endpoint (mode existing).
	ID string
	// AcknowledgedVPC is the VPC whose every tenant the private DNS of a
	// created endpoint affects (mode create-with-private-dns).
	AcknowledgedVPC string
}

// Creates reports whether the program creates the endpoint.
func (e Endpoint) Creates() bool { return e.Mode != EndpointExisting }

// PrivateDNS reports whether the endpoint the program creates has private DNS.
func (e Endpoint) PrivateDNS() bool {
	return e.Mode == EndpointOwnVPC || e.Mode == EndpointCreatePrivateDNS
}

// NeedsURL reports whether rotators must be pointed at the endpoint through
// AWS_ENDPOINT_URL_SECRETS_MANAGER: whenever the default host name does not
// resolve to an endpoint the program made with private DNS. An existing
// endpoint is always addressed by its own name, so it works whether or not
// its owner turned private DNS on.
func (e Endpoint) NeedsURL() bool { return !e.PrivateDNS() }

// RestrictedPolicy reports whether the endpoint the program creates carries a
// policy limited to this account's principals and secrets. Only in a VPC of
// its own: in a shared VPC such a policy would deny other tenants' calls, and
// this stack's workloads' reads of other accounts' secrets (externalSecrets),
// so IAM, key and resource policies decide there.
func (e Endpoint) RestrictedPolicy() bool { return e.Mode == EndpointOwnVPC }
