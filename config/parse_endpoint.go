package config

import (
	"fmt"
	"regexp"
	"strings"
)

var vpceIDPattern = regexp.MustCompile(`^vpce-[0-9a-f]{8,17}$`)

// parseEndpoint reads network.secretsManagerEndpoint: refused in a VPC the
// stack creates (which always gets its own endpoint with private DNS),
// required in an existing one, where the choice affects other tenants.
func parseEndpoint(k string, r *rawNetwork, n Network, ps *problems) Endpoint {
	k += ".secretsManagerEndpoint"
	var re *rawEndpoint
	if r != nil {
		re = r.SecretsManagerEndpoint
	}
	if n.CreatesVPC() {
		if re != nil {
			ps.add(k, "(set)", "only with network.vpcId: a VPC this stack creates always gets its own endpoint with private DNS")
		}
		return Endpoint{Mode: EndpointOwnVPC}
	}
	if re == nil {
		ps.add(k, "(unset)", "set in an existing VPC, which other tenants may share: mode %s", modeList())
		return Endpoint{Mode: EndpointCreate}
	}
	e := Endpoint{Mode: EndpointMode(re.Mode), ID: re.ID, AcknowledgedVPC: re.AcknowledgeVpcWidePrivateDNS}
	switch e.Mode {
	case EndpointExisting, EndpointCreate, EndpointCreatePrivateDNS:
	default:
		ps.add(k+".mode", re.Mode, "one of %s", modeList())
	}
	switch {
	case e.Mode == EndpointExisting && !vpceIDPattern.MatchString(e.ID):
		ps.add(k+".id", e.ID, "the id of the VPC's Secrets Manager interface endpoint, vpce-<hex> (aws ec2 describe-vpc-endpoints --filters Name=vpc-id,Values=%s Name=service-name,Values=com.amazonaws.<region>.secretsmanager)", n.VpcID)
	case e.Mode != EndpointExisting && e.ID != "":
		ps.add(k+".id", e.ID, "only with mode %s (the other modes create the endpoint)", EndpointExisting)
	}
	switch {
	case e.Mode == EndpointCreatePrivateDNS && e.AcknowledgedVPC != n.VpcID:
		ps.add(k+".acknowledgeVpcWidePrivateDns", e.AcknowledgedVPC,
			"the VPC id %s, acknowledging that secretsmanager.<region>.amazonaws.com then resolves to this endpoint for every tenant of that VPC (and that AWS refuses it if the VPC has such an endpoint already); otherwise choose %s or %s", n.VpcID, EndpointExisting, EndpointCreate)
	case e.Mode != EndpointCreatePrivateDNS && e.AcknowledgedVPC != "":
		ps.add(k+".acknowledgeVpcWidePrivateDns", e.AcknowledgedVPC, "only with mode %s", EndpointCreatePrivateDNS)
	}
	return e
}

func modeList() string {
	var names []string
	for _, m := range EndpointModes() {
		names = append(names, string(m))
	}
	return strings.Join(names, ", ") + fmt.Sprintf(" (%s needs acknowledgeVpcWidePrivateDns: <vpcId>)", EndpointCreatePrivateDNS)
}
