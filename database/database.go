package database

import (
	"errors"
	"fmt"
	"maps"
	"slices"

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
	// WorkloadGroups are the workloads that read the database secret in a
	// VPC the program creates; each gets a security group that reaches the
	// database and the endpoint (newWorkloadGroups). Refused otherwise.
	WorkloadGroups []string
}

// Database is the PostgreSQL the application user's secret is for, the
// network its rotator runs in, and what that network needs from owners of
// resources the program did not create.
type Database struct {
	pulumi.ResourceState

	// Host and Port are the instance endpoint.
	Host pulumi.StringOutput `pulumi:"host"`
	Port pulumi.IntOutput    `pulumi:"port"`
	// MasterSecretArn is the master secret, for break-glass use and rotation:
	// RDS's managed one, or database.existing.masterSecretArn.
	MasterSecretArn pulumi.StringOutput `pulumi:"masterSecretArn"`
	// InstanceArn is the RDS instance ARN.
	InstanceArn pulumi.StringOutput `pulumi:"instanceArn"`
	// VpcID and SubnetIDs are where the rotator runs.
	VpcID     pulumi.StringOutput      `pulumi:"vpcId"`
	SubnetIDs pulumi.StringArrayOutput `pulumi:"subnetIds"`
	// RotatorSecurityGroupID is the only group besides the workloads' that
	// reaches the database.
	RotatorSecurityGroupID pulumi.StringOutput `pulumi:"rotatorSecurityGroupId"`
	// SecretsManagerEndpointURL is what rotators in the subnets must set as
	// AWS_ENDPOINT_URL_SECRETS_MANAGER; "" where private DNS already sends
	// the default host name to the endpoint.
	SecretsManagerEndpointURL pulumi.StringOutput `pulumi:"secretsManagerEndpointUrl"`
	// WorkloadSecurityGroupIDs are the groups made for Args.WorkloadGroups,
	// by workload.
	WorkloadSecurityGroupIDs map[string]pulumi.StringOutput
	// OwnerChanges are the changes owners of existing resources must make
	// (the program makes none of them), with their commands.
	OwnerChanges []OwnerChange
	// Ready are the Secrets Manager endpoint and the security-group rules of
	// the rotator's paths to it and to the database. The private subnets have
	// no other way out, so whatever runs a rotation there (the rotator's
	// function and its SecretRotation, which rotates the database secret at
	// once) must DependsOn these, or its first rotation races its network.
	// The rules owners add are not among them: the rotation waits for
	// database.ownerChangesApplied instead (config.Config.AwaitingPrerequisite).
	Ready []pulumi.Resource
}

// NewDatabase registers the network, the security groups, the Secrets
// Manager endpoint and, unless the instance exists already, the subnet and
// parameter groups and the instance. It changes nothing it did not create:
// an existing VPC, endpoint or instance is looked up, and what their owners
// must change is in OwnerChanges.
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
	cfg := args.Config
	if len(args.WorkloadGroups) > 0 && !cfg.Network.CreatesVPC() {
		return nil, fmt.Errorf("new database %s: workload security groups are made only in a VPC the program creates (database.workloadSecurityGroupIds names those of an existing VPC)", name)
	}
	mode := cfg.Network.Endpoint
	d := &Database{}
	if err := ctx.RegisterComponentResource("secrets-platform:database:Database", name, d, opts...); err != nil {
		return nil, fmt.Errorf("register database: %w", err)
	}
	tags := pulumi.ToStringMap(maps.Clone(args.Tags))
	net, err := newNetwork(ctx, name, cfg.Network, tags, d)
	if err != nil {
		return nil, err
	}

	ga := groupArgs{vpcID: net.VpcID, databasePort: PostgresPort, workloads: cfg.WorkloadSecurityGroupIDs, tags: tags}
	var existing existingInstance
	if cfg.Existing != nil {
		if existing, err = lookupInstance(ctx, *cfg.Existing, cfg, args.Strict, d); err != nil {
			return nil, err
		}
		ga.existingDatabase, ga.databasePort = existing.securityGroups, existing.port
	}
	var ep endpoint
	if !mode.Creates() {
		if ep, err = lookupEndpoint(ctx, mode.ID, cfg.Network.VpcID, serviceName, d); err != nil {
			return nil, err
		}
		ga.existingEndpoint = ep.existingGroups
	}
	if mode.Mode == config.EndpointCreatePrivateDNS {
		if ga.vpcCIDRs, err = vpcCIDRs(ctx, cfg.Network.VpcID, d); err != nil {
			return nil, err
		}
	}
	sgs, err := newSecurityGroups(ctx, name, ga, d)
	if err != nil {
		return nil, err
	}
	d.Ready = slices.Clone(sgs.RotatorPaths)
	if d.WorkloadSecurityGroupIDs, err = newWorkloadGroups(ctx, name, args.WorkloadGroups, sgs, net.VpcID, tags, d); err != nil {
		return nil, err
	}
	if mode.Creates() {
		if ep, err = newEndpoint(ctx, name, endpointArgs{mode: mode, serviceName: serviceName, account: args.Account,
			net: net, group: sgs.Endpoint, tags: tags}, d); err != nil {
			return nil, err
		}
		d.Ready = append([]pulumi.Resource{ep.created}, d.Ready...)
	}

	rotatorSG := sgs.Rotator.ID().ToStringOutput()
	if cfg.Existing != nil {
		e := cfg.Existing
		d.Host, d.Port = pulumi.String(existing.host).ToStringOutput(), pulumi.Int(existing.port).ToIntOutput()
		d.InstanceArn = pulumi.String(existing.arn).ToStringOutput()
		d.MasterSecretArn = pulumi.String(e.MasterSecretARN).ToStringOutput()
		d.OwnerChanges = append(d.OwnerChanges, ingressFromRotator("security group "+existing.securityGroups[0]+" of RDS instance "+e.InstanceIdentifier+" (its owner's)",
			existing.securityGroups[0], existing.port, "the database", rotatorSG))
		d.OwnerChanges = append(d.OwnerChanges, existing.findings...)
	} else {
		inst, err := newManagedInstance(ctx, name, args, net, sgs.Database, tags, d)
		if err != nil {
			return nil, err
		}
		d.Host, d.Port, d.InstanceArn = inst.Address, inst.Port, inst.Arn
		d.MasterSecretArn = inst.MasterUserSecrets.Index(pulumi.Int(0)).SecretArn().Elem()
	}
	if !mode.Creates() {
		d.OwnerChanges = append(d.OwnerChanges, ingressFromRotator("security group "+ep.existingGroups[0]+" of Secrets Manager endpoint "+mode.ID+" (its owner's)",
			ep.existingGroups[0], 443, "Secrets Manager", rotatorSG))
	}
	d.VpcID, d.SubnetIDs, d.RotatorSecurityGroupID = net.VpcID, net.SubnetIDs, rotatorSG
	d.SecretsManagerEndpointURL = ep.url
	if err := ctx.RegisterResourceOutputs(d, pulumi.Map{
		"host": d.Host, "port": d.Port, "masterSecretArn": d.MasterSecretArn, "instanceArn": d.InstanceArn,
		"vpcId": d.VpcID, "subnetIds": d.SubnetIDs, "rotatorSecurityGroupId": d.RotatorSecurityGroupID,
		"secretsManagerEndpointUrl": d.SecretsManagerEndpointURL,
	}); err != nil {
		return nil, fmt.Errorf("register database outputs: %w", err)
	}
	return d, nil
}

func sortedKeys(m map[string]string) []string {
	return slices.Sorted(maps.Keys(m))
}
