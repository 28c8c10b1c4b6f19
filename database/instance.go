package database

import (
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
)

// ParameterGroupFamily is the parameter group family of an engine version.
func ParameterGroupFamily(version string) string {
	major, _, _ := strings.Cut(version, ".")
	return "postgres" + major
}

// Parameters are set on every database: TLS only (rds.force_ssl), SCRAM
// password hashes, and connection logging so failed logins during rotation show.
func Parameters() map[string]string {
	return map[string]string{
		"rds.force_ssl":       "1",
		"password_encryption": "scram-sha-256",
		"log_connections":     "1",
		"log_disconnections":  "1",
	}
}

type instanceArgs struct {
	identifier       string
	db               config.Database
	strict           bool
	storageKeyArn    pulumi.StringInput
	masterKeyArn     pulumi.StringInput
	subnetGroup      pulumi.StringInput
	securityGroupIDs pulumi.StringArrayInput
	tags             pulumi.StringMap
}

func newParameterGroup(ctx *pulumi.Context, name string, d config.Database, tags pulumi.StringMap, parent pulumi.Resource) (*rds.ParameterGroup, error) {
	var params rds.ParameterGroupParameterArray
	values := Parameters()
	for _, k := range sortedKeys(values) {
		params = append(params, rds.ParameterGroupParameterArgs{
			Name: pulumi.String(k), Value: pulumi.String(values[k]),
			// Static parameters need a reboot; pending-reboot applies them at the next one.
			ApplyMethod: pulumi.String("pending-reboot"),
		})
	}
	pg, err := rds.NewParameterGroup(ctx, name+"-params", &rds.ParameterGroupArgs{
		Family:      pulumi.String(ParameterGroupFamily(d.EngineVersion)),
		Description: pulumi.String("TLS-only PostgreSQL with connection logging"),
		Parameters:  params,
		Tags:        tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("create parameter group: %w", err)
	}
	return pg, nil
}

func newInstance(ctx *pulumi.Context, name string, a instanceArgs, params *rds.ParameterGroup, parent pulumi.Resource) (*rds.Instance, error) {
	d := a.db
	args := &rds.InstanceArgs{
		Identifier:          pulumi.String(a.identifier),
		Engine:              pulumi.String("postgres"),
		EngineVersion:       pulumi.String(d.EngineVersion),
		InstanceClass:       pulumi.String(d.InstanceClass),
		AllocatedStorage:    pulumi.Int(d.AllocatedStorageGB),
		MaxAllocatedStorage: pulumi.Int(d.MaxAllocatedStorageGB),
		StorageType:         pulumi.String("gp3"),
		StorageEncrypted:    pulumi.Bool(true),
		KmsKeyId:            a.storageKeyArn,
		DbName:              pulumi.String(d.DBName),
		Username:            pulumi.String(d.MasterUsername),
		// RDS keeps the master password in its own secret, encrypted with the
		// stack's secrets key; only rotation reads it, never applications.
		ManageMasterUserPassword:         pulumi.Bool(true),
		MasterUserSecretKmsKeyId:         a.masterKeyArn,
		DbSubnetGroupName:                a.subnetGroup,
		VpcSecurityGroupIds:              a.securityGroupIDs,
		ParameterGroupName:               params.Name,
		Port:                             pulumi.Int(PostgresPort),
		PubliclyAccessible:               pulumi.Bool(false),
		IamDatabaseAuthenticationEnabled: pulumi.Bool(true),
		EnabledCloudwatchLogsExports:     pulumi.ToStringArray([]string{"postgresql", "upgrade"}),
		MultiAz:                          pulumi.Bool(d.MultiAZ),
		BackupRetentionPeriod:            pulumi.Int(d.BackupRetentionDays),
		CopyTagsToSnapshot:               pulumi.Bool(true),
		AutoMinorVersionUpgrade:          pulumi.Bool(true),
		PerformanceInsightsEnabled:       pulumi.Bool(true),
		PerformanceInsightsKmsKeyId:      a.storageKeyArn,
		CaCertIdentifier:                 pulumi.String("rds-ca-rsa2048-g1"),
		DeletionProtection:               pulumi.Bool(a.strict),
		SkipFinalSnapshot:                pulumi.Bool(!a.strict),
		Tags:                             a.tags,
	}
	if a.strict {
		args.FinalSnapshotIdentifier = pulumi.String(a.identifier + "-final")
	}
	inst, err := rds.NewInstance(ctx, name+"-instance", args, pulumi.Parent(parent), pulumi.Protect(a.strict))
	if err != nil {
		return nil, fmt.Errorf("create database instance: %w", err)
	}
	return inst, nil
}

// newManagedInstance creates the subnet group, the parameter group and the
// instance of a database the program owns.
func newManagedInstance(ctx *pulumi.Context, name string, args *Args, net network, group *ec2.SecurityGroup, tags pulumi.StringMap, parent pulumi.Resource) (*rds.Instance, error) {
	subnets, err := rds.NewSubnetGroup(ctx, name+"-subnets", &rds.SubnetGroupArgs{
		SubnetIds: net.SubnetIDs, Description: pulumi.String("private subnets of the database"), Tags: tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("create db subnet group: %w", err)
	}
	params, err := newParameterGroup(ctx, name, args.Config, tags, parent)
	if err != nil {
		return nil, err
	}
	return newInstance(ctx, name, instanceArgs{
		identifier:       args.Environment + "-" + args.Config.DBName,
		db:               args.Config,
		strict:           args.Strict,
		storageKeyArn:    args.StorageKeyArn,
		masterKeyArn:     args.SecretsKeyArn,
		subnetGroup:      subnets.Name,
		securityGroupIDs: pulumi.StringArray{group.ID()},
		tags:             tags,
	}, params, parent)
}
