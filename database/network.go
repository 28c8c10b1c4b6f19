package database

import (
	"fmt"
	"net/netip"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// network is where the database, the rotator and the endpoint live.
type network struct {
	VpcID     pulumi.StringOutput
	SubnetIDs pulumi.StringArrayOutput
}

// newNetwork uses the configured VPC, or creates a private one: subnets in
// AZCount zones, no internet gateway, no NAT, so nothing in it reaches the
// internet; AWS APIs are reached through interface endpoints.
func newNetwork(ctx *pulumi.Context, name string, n config.Network, tags pulumi.StringMap, parent pulumi.Resource) (network, error) {
	if !n.CreatesVPC() {
		return network{
			VpcID:     pulumi.String(n.VpcID).ToStringOutput(),
			SubnetIDs: pulumi.ToStringArray(n.SubnetIDs).ToStringArrayOutput(),
		}, nil
	}
	azs, err := aws.GetAvailabilityZones(ctx, &aws.GetAvailabilityZonesArgs{State: pulumi.StringRef("available")}, pulumi.Parent(parent))
	if err != nil {
		return network{}, fmt.Errorf("list availability zones: %w", err)
	}
	if len(azs.Names) < n.AZCount {
		return network{}, fmt.Errorf("create network: the region has %d availability zones, database.network.azCount asks for %d", len(azs.Names), n.AZCount)
	}
	vpc, err := ec2.NewVpc(ctx, name+"-vpc", &ec2.VpcArgs{
		CidrBlock: pulumi.String(n.CIDR),
		// Private DNS of interface endpoints needs both.
		EnableDnsSupport:   pulumi.Bool(true),
		EnableDnsHostnames: pulumi.Bool(true),
		Tags:               tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return network{}, fmt.Errorf("create vpc: %w", err)
	}
	// The default security group allows all traffic between its members;
	// managing it with no rules closes it (CKV2_AWS_12).
	if _, err := ec2.NewDefaultSecurityGroup(ctx, name+"-default-sg", &ec2.DefaultSecurityGroupArgs{
		VpcId: vpc.ID(), Tags: tags,
	}, pulumi.Parent(parent)); err != nil {
		return network{}, fmt.Errorf("close default security group: %w", err)
	}
	prefix, err := netip.ParsePrefix(n.CIDR)
	if err != nil {
		return network{}, fmt.Errorf("parse database.network.cidr: %w", err)
	}
	var ids pulumi.StringArray
	for i := 0; i < n.AZCount; i++ {
		cidr := subnetCIDR(prefix, i)
		sn, err := ec2.NewSubnet(ctx, fmt.Sprintf("%s-private-%d", name, i), &ec2.SubnetArgs{
			VpcId:               vpc.ID(),
			CidrBlock:           pulumi.String(cidr),
			AvailabilityZone:    pulumi.String(azs.Names[i]),
			MapPublicIpOnLaunch: pulumi.Bool(false),
			Tags:                tags,
		}, pulumi.Parent(parent))
		if err != nil {
			return network{}, fmt.Errorf("create subnet %d: %w", i, err)
		}
		ids = append(ids, sn.ID())
	}
	return network{VpcID: vpc.ID().ToStringOutput(), SubnetIDs: ids.ToStringArrayOutput()}, nil
}

// subnetCIDR is the i-th /20 of a /16.
func subnetCIDR(p netip.Prefix, i int) string {
	b := p.Addr().As4()
	b[2] = byte(i * 16)
	return netip.PrefixFrom(netip.AddrFrom4(b), 20).String()
}

// vpcCIDRs are the IPv4 blocks of an existing VPC: with private DNS, every
// tenant's calls to Secrets Manager go to the endpoint, which must then admit
// them all, or they time out.
func vpcCIDRs(ctx *pulumi.Context, vpcID string, parent pulumi.Resource) ([]string, error) {
	got, err := ec2.LookupVpc(ctx, &ec2.LookupVpcArgs{Id: &vpcID}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("look up database.network.vpcId %s: %w", vpcID, err)
	}
	if !got.EnableDnsSupport || !got.EnableDnsHostnames {
		return nil, fmt.Errorf("database.network.vpcId %s: private DNS of an endpoint needs enableDnsSupport and enableDnsHostnames on the VPC (its owner's setting)", vpcID)
	}
	cidrs := []string{got.CidrBlock}
	for _, a := range got.CidrBlockAssociations {
		if a.CidrBlock != got.CidrBlock && a.State == "associated" {
			cidrs = append(cidrs, a.CidrBlock)
		}
	}
	return cidrs, nil
}
