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
// Secrets Manager endpoint; the endpoint accepts only the rotator and workloads.
type securityGroups struct {
	Database, Rotator, Endpoint *ec2.SecurityGroup
	// RotatorPaths are the rules both ends of the rotator's two paths need
	// (rotator to PostgreSQL, rotator to the endpoint): until they exist, a
	// rotator in the private subnets reaches neither.
	RotatorPaths []pulumi.Resource
}

func newSecurityGroups(ctx *pulumi.Context, name string, vpcID pulumi.StringInput, workloadSGs []string, tags pulumi.StringMap, parent pulumi.Resource) (securityGroups, error) {
	var sgs securityGroups
	var err error
	mk := func(suffix, desc string) (*ec2.SecurityGroup, error) {
		return ec2.NewSecurityGroup(ctx, name+"-"+suffix, &ec2.SecurityGroupArgs{
			VpcId: vpcID, Description: pulumi.String(desc), Tags: tags,
			// No inline rules: the provider then removes AWS's default allow-all egress.
		}, pulumi.Parent(parent))
	}
	if sgs.Database, err = mk("db-sg", "PostgreSQL: from the rotator and the workloads only"); err != nil {
		return sgs, fmt.Errorf("create database security group: %w", err)
	}
	if sgs.Rotator, err = mk("rotator-sg", "Rotation Lambda: to the database and the Secrets Manager endpoint only"); err != nil {
		return sgs, fmt.Errorf("create rotator security group: %w", err)
	}
	if sgs.Endpoint, err = mk("endpoint-sg", "Secrets Manager endpoint: HTTPS from the rotator and the workloads only"); err != nil {
		return sgs, fmt.Errorf("create endpoint security group: %w", err)
	}
	type rule struct {
		name, kind, desc string
		port             int
		group, peer      pulumi.StringInput
		rotator          bool
	}
	rules := []rule{
		{"db-from-rotator", "ingress", "rotator to PostgreSQL", PostgresPort, sgs.Database.ID(), sgs.Rotator.ID(), true},
		{"rotator-to-db", "egress", "rotator to PostgreSQL", PostgresPort, sgs.Rotator.ID(), sgs.Database.ID(), true},
		{"rotator-to-endpoint", "egress", "rotator to Secrets Manager", 443, sgs.Rotator.ID(), sgs.Endpoint.ID(), true},
		{"endpoint-from-rotator", "ingress", "rotator to Secrets Manager", 443, sgs.Endpoint.ID(), sgs.Rotator.ID(), true},
	}
	for i, w := range workloadSGs {
		rules = append(rules,
			rule{fmt.Sprintf("db-from-workload-%d", i), "ingress", "workload to PostgreSQL", PostgresPort, sgs.Database.ID(), pulumi.String(w), false},
			rule{fmt.Sprintf("endpoint-from-workload-%d", i), "ingress", "workload to Secrets Manager", 443, sgs.Endpoint.ID(), pulumi.String(w), false})
	}
	for _, r := range rules {
		res, err := ec2.NewSecurityGroupRule(ctx, name+"-"+r.name, &ec2.SecurityGroupRuleArgs{
			Type: pulumi.String(r.kind), Description: pulumi.String(r.desc), Protocol: pulumi.String("tcp"),
			FromPort: pulumi.Int(r.port), ToPort: pulumi.Int(r.port),
			SecurityGroupId: r.group, SourceSecurityGroupId: r.peer,
		}, pulumi.Parent(parent))
		if err != nil {
			return sgs, fmt.Errorf("create security group rule %s: %w", r.name, err)
		}
		if r.rotator {
			sgs.RotatorPaths = append(sgs.RotatorPaths, res)
		}
	}
	return sgs, nil
}
