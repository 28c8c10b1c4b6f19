package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// PostgresPort is the port the database listens on.
const PostgresPort = 5432

// securityGroups: the database is reachable only from the rotator and the
// configured workloads; the rotator reaches only the database and the
// Secrets Manager endpoint; the endpoint accepts only the rotator and workloads
// (and, with private DNS in a shared VPC, the VPC, whose every tenant then
// calls Secrets Manager through it). The program makes groups and rules only
// for what it creates; a group of an existing instance or endpoint is its
// owner's, and the rule it needs is an OwnerChange.
type securityGroups struct {
	// Database and Endpoint are nil when the instance or endpoint exists already.
	Database, Rotator, Endpoint *ec2.SecurityGroup
	// RotatorPaths are the rules both ends of the rotator's two paths need
	// (rotator to PostgreSQL, rotator to the endpoint): until they exist, a
	// rotator in the private subnets reaches neither.
	RotatorPaths []pulumi.Resource
}

// groupArgs says which groups exist already and who else the created ones admit.
type groupArgs struct {
	vpcID pulumi.StringInput
	// existingDatabase and existingEndpoint are the groups of an instance or
	// endpoint the program did not create; nil when it creates them.
	existingDatabase, existingEndpoint []string
	// databasePort is the instance's port.
	databasePort int
	workloads    []string
	// vpcCIDRs are admitted to a created endpoint with private DNS in a
	// shared VPC.
	vpcCIDRs []string
	tags     pulumi.StringMap
}

type rule struct {
	name, kind, desc string
	port             int
	group            pulumi.StringInput
	peer             pulumi.StringInput
	cidr             string
	rotator          bool
}

func newSecurityGroups(ctx *pulumi.Context, name string, a groupArgs, parent pulumi.Resource) (securityGroups, error) {
	var sgs securityGroups
	var err error
	mk := func(suffix, desc string) (*ec2.SecurityGroup, error) {
		return ec2.NewSecurityGroup(ctx, name+"-"+suffix, &ec2.SecurityGroupArgs{
			VpcId: a.vpcID, Description: pulumi.String(desc), Tags: a.tags,
			// No inline rules: the provider then removes AWS's default allow-all egress.
		}, pulumi.Parent(parent))
	}
	if a.existingDatabase == nil {
		if sgs.Database, err = mk("db-sg", "PostgreSQL: from the rotator and the workloads only"); err != nil {
			return sgs, fmt.Errorf("create database security group: %w", err)
		}
	}
	if sgs.Rotator, err = mk("rotator-sg", "Rotation Lambda: to the database and the Secrets Manager endpoint only"); err != nil {
		return sgs, fmt.Errorf("create rotator security group: %w", err)
	}
	if a.existingEndpoint == nil {
		if sgs.Endpoint, err = mk("endpoint-sg", "Secrets Manager endpoint: HTTPS from the rotator and the workloads only"); err != nil {
			return sgs, fmt.Errorf("create endpoint security group: %w", err)
		}
	}
	for _, r := range sgs.rules(a) {
		args := &ec2.SecurityGroupRuleArgs{
			Type: pulumi.String(r.kind), Description: pulumi.String(r.desc), Protocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port), SecurityGroupId: r.group,
		}
		if r.cidr != "" {
			args.CidrBlocks = pulumi.StringArray{pulumi.String(r.cidr)}
		} else {
			args.SourceSecurityGroupId = r.peer
		}
		res, err := ec2.NewSecurityGroupRule(ctx, name+"-"+r.name, args, pulumi.Parent(parent))
		if err != nil {
			return sgs, fmt.Errorf("create security group rule %s: %w", r.name, err)
		}
		if r.rotator {
			sgs.RotatorPaths = append(sgs.RotatorPaths, res)
		}
	}
	return sgs, nil
}

// rules are the rules on the groups the program made: both ends of a path
// between two of its groups, and only this end of a path to a group it did
// not make.
func (sgs securityGroups) rules(a groupArgs) []rule {
	rot := sgs.Rotator.ID()
	var rules []rule
	if sgs.Database != nil {
		db := sgs.Database.ID()
		rules = append(rules,
			rule{name: "db-from-rotator", kind: "ingress", desc: "rotator to PostgreSQL", port: PostgresPort, group: db, peer: rot, rotator: true},
			rule{name: "rotator-to-db", kind: "egress", desc: "rotator to PostgreSQL", port: PostgresPort, group: rot, peer: db, rotator: true})
	}
	for i, g := range a.existingDatabase {
		rules = append(rules, rule{name: fmt.Sprintf("rotator-to-db-%d", i), kind: "egress", desc: "rotator to the existing PostgreSQL",
			port: a.databasePort, group: rot, peer: pulumi.String(g), rotator: true})
	}
	if sgs.Endpoint != nil {
		ep := sgs.Endpoint.ID()
		rules = append(rules,
			rule{name: "rotator-to-endpoint", kind: "egress", desc: "rotator to Secrets Manager", port: 443, group: rot, peer: ep, rotator: true},
			rule{name: "endpoint-from-rotator", kind: "ingress", desc: "rotator to Secrets Manager", port: 443, group: ep, peer: rot, rotator: true})
		for i, c := range a.vpcCIDRs {
			rules = append(rules, rule{name: fmt.Sprintf("endpoint-from-vpc-%d", i), kind: "ingress",
				desc: "every tenant of the VPC to Secrets Manager (private DNS)", port: 443, group: ep, cidr: c})
		}
	}
	for i, g := range a.existingEndpoint {
		rules = append(rules, rule{name: fmt.Sprintf("rotator-to-endpoint-%d", i), kind: "egress", desc: "rotator to the existing Secrets Manager endpoint",
			port: 443, group: rot, peer: pulumi.String(g), rotator: true})
	}
	for i, w := range a.workloads {
		if sgs.Database != nil {
			rules = append(rules, rule{name: fmt.Sprintf("db-from-workload-%d", i), kind: "ingress", desc: "workload to PostgreSQL",
				port: PostgresPort, group: sgs.Database.ID(), peer: pulumi.String(w)})
		}
		if sgs.Endpoint != nil {
			rules = append(rules, rule{name: fmt.Sprintf("endpoint-from-workload-%d", i), kind: "ingress", desc: "workload to Secrets Manager",
				port: 443, group: sgs.Endpoint.ID(), peer: pulumi.String(w)})
		}
	}
	return rules
}
