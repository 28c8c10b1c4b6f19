package database

import (
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
)

// Args configures the managed PostgreSQL.
type Args struct {
	// Config is the validated database block. Required.
	Config config.Database
	// Environment names the instance ({env}-{dbName}). Required.
	Environment string
	// Strict turns on multi-AZ, deletion protection, a final snapshot and protect.
	Strict bool
	// Account scopes the endpoint policy and names the endpoint's service. Required.
	Account iam.Account
	// StorageKeyArn encrypts storage and Performance Insights. Required.
	StorageKeyArn pulumi.StringInput
	// SecretsKeyArn encrypts the RDS-managed master secret. Required.
	SecretsKeyArn pulumi.StringInput
	// Tags are applied to every resource.
	Tags map[string]string
}

// Database is the managed PostgreSQL and its network.
type Database struct {
	pulumi.ResourceState

	// Host and Port are the instance endpoint.
	Host pulumi.StringOutput `pulumi:"host"`
	Port pulumi.IntOutput    `pulumi:"port"`
	// MasterSecretArn is the RDS-managed master secret, for break-glass use and rotation.
	MasterSecretArn pulumi.StringOutput `pulumi:"masterSecretArn"`
	// InstanceArn is the RDS instance ARN.
	InstanceArn pulumi.StringOutput `pulumi:"instanceArn"`
	// VpcID and SubnetIDs are where the rotator runs.
	VpcID     pulumi.StringOutput      `pulumi:"vpcId"`
	SubnetIDs pulumi.StringArrayOutput `pulumi:"subnetIds"`
	// RotatorSecurityGroupID is the only group besides the workloads' that
	// reaches the database.
	RotatorSecurityGroupID pulumi.StringOutput `pulumi:"rotatorSecurityGroupId"`
	// Ready are the Secrets Manager endpoint and the security-group rules of
	// the rotator's paths to it and to the database. The private subnets have
	// no other way out, so whatever runs a rotation there (the rotator's
	// function and its SecretRotation, which rotates the database secret at
	// once) must DependsOn these, or its first rotation races its network.
	Ready []pulumi.Resource
}

// NewDatabase registers the network, the security groups, the subnet and
// parameter groups, the instance and the Secrets Manager endpoint.
func NewDatabase(ctx *pulumi.Context, name string, args *Args, opts ...pulumi.ResourceOption) (*Database, error) {
	if args == nil {
		return nil, errors.New("new database: args are required")
	}
	if args.StorageKeyArn == nil || args.SecretsKeyArn == nil || args.Environment == "" {
		return nil, fmt.Errorf("new database %s: Environment, StorageKeyArn and SecretsKeyArn are required", name)
	}
	if err := args.Account.Validate(); err != nil {
		return nil, fmt.Errorf("new database %s: %w", name, err)
	}
	serviceName, err := SecretsManagerServiceName(args.Account)
	if err != nil {
		return nil, fmt.Errorf("new database %s: %w", name, err)
	}
	d := &Database{}
	if err := ctx.RegisterComponentResource("secrets-platform:database:Database", name, d, opts...); err != nil {
		return nil, fmt.Errorf("register database: %w", err)
	}
	tags := pulumi.ToStringMap(maps.Clone(args.Tags))
	net, err := newNetwork(ctx, name, args.Config.Network, tags, d)
	if err != nil {
		return nil, err
	}
	sgs, err := newSecurityGroups(ctx, name, net.VpcID, args.Config.WorkloadSecurityGroupIDs, tags, d)
	if err != nil {
		return nil, err
	}
	endpoint, err := newEndpoint(ctx, name, serviceName, EndpointPolicy(args.Account), net, sgs.Endpoint, tags, d)
	if err != nil {
		return nil, err
	}
	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		SubnetIds: net.SubnetIDs, Description: pulumi.String("private subnets of the database"), Tags: tags,
	}, pulumi.Parent(d))
	if err != nil {
		return nil, fmt.Errorf("create db subnet group: %w", err)
	}
	params, err := newParameterGroup(ctx, name, args.Config, tags, d)
	if err != nil {
		return nil, err
	}
	inst, err := newInstance(ctx, name, instanceArgs{
		identifier:       args.Environment + "-" + args.Config.DBName,
		db:               args.Config,
		strict:           args.Strict,
		storageKeyArn:    args.StorageKeyArn,
		masterKeyArn:     args.SecretsKeyArn,
		subnetGroup:      subnets.Name,
		securityGroupIDs: pulumi.StringArray{sgs.Database.ID()},
		tags:             tags,
	}, params, d)
	if err != nil {
		return nil, err
	}
	d.Host, d.Port, d.InstanceArn = inst.Address, inst.Port, inst.Arn
	d.MasterSecretArn = inst.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem()
	d.VpcID, d.SubnetIDs, d.RotatorSecurityGroupID = net.VpcID, net.SubnetIDs, sgs.Rotator.ID().ToStringOutput()
	d.Ready = append([]pulumi.Resource{endpoint}, sgs.RotatorPaths...)
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"host": d.Host, "port": d.Port, "masterSecretArn": d.MasterSecretArn, "instanceArn": d.InstanceArn,
		"vpcId": d.VpcID, "subnetIds": d.SubnetIDs, "rotatorSecurityGroupId": d.RotatorSecurityGroupID,
	}); err != nil {
		return nil, fmt.Errorf("register database outputs: %w", err)
	}
	return d, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
