package rotation

import (
	"errors"
	"fmt"
	"maps"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/secretsmanager"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/serverlessrepository"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
)

// HostedApplication is one of AWS's rotation applications in the Serverless
// Application Repository, pinned to a version.
type HostedApplication struct {
	// ApplicationID is the application's ARN in the partition's repository.
	ApplicationID string
	// SemanticVersion is the pinned version: a new version is a reviewed
	// change to this file, never a silent upgrade at deploy time.
	SemanticVersion string
}

// hostedPublisher is the repository AWS publishes its rotation applications
// from; each partition has its own account and region.
func hostedPublisher(partition string) (string, bool) {
	switch partition {
	case "aws":
		return "arn:aws:serverlessrepo:us-east-1:297356227824:applications/", true
	case "aws-cn":
		return "arn:aws-cn:serverlessrepo:cn-north-1:193023089310:applications/", true
	case "aws-us-gov":
		return "arn:aws-us-gov:serverlessrepo:us-gov-west-1:023102451235:applications/", true
	}
	return "", false
}

// hostedApplication names each hosted strategy's application and pins its
// version per partition. The partitions lag each other, so one version does
// not exist everywhere. Source: aws-cdk-lib aws-secretsmanager
// SecretRotationApplication (POSTGRES_ROTATION_SINGLE_USER / _MULTI_USER).
func hostedApplication(s config.Strategy) (name string, versions map[string]string, ok bool) {
	switch s {
	case config.HostedSingleUser:
		return "SecretsManagerRDSPostgreSQLRotationSingleUser", map[string]string{
			"aws": "1.1.671", "aws-cn": "1.1.440", "aws-us-gov": "1.1.383",
		}, true
	case config.HostedMultiUser:
		return "SecretsManagerRDSPostgreSQLRotationMultiUser", map[string]string{
			"aws": "1.1.671", "aws-cn": "1.1.440", "aws-us-gov": "1.1.383",
		}, true
	}
	return "", nil, false
}

// HostedCapabilities are what the application's template needs: it creates
// the function's role and the function's resource policy.
func HostedCapabilities() []string { return []string{"CAPABILITY_IAM", "CAPABILITY_RESOURCE_POLICY"} }

// HostedOutput is the application's output holding the deployed function's
// ARN, which the rotation must name.
const HostedOutput = "RotationLambdaARN"

// Hosted returns the pinned application of a hosted strategy in a partition.
func Hosted(s config.Strategy, partition string) (HostedApplication, error) {
	name, versions, ok := hostedApplication(s)
	if !ok {
		return HostedApplication{}, fmt.Errorf("hosted rotation: strategy %q is not hosted", s)
	}
	publisher, ok := hostedPublisher(partition)
	version, vok := versions[partition]
	if !ok || !vok {
		return HostedApplication{}, fmt.Errorf("hosted rotation: no %s pinned for partition %q", name, partition)
	}
	return HostedApplication{ApplicationID: publisher + name, SemanticVersion: version}, nil
}

// HostedRotatorArgs configures AWS's PostgreSQL rotator for one secret.
type HostedRotatorArgs struct {
	// Secret is the catalog entry; its strategy must be hosted. Required.
	Secret config.Secret
	// SecretArn is the secret's ARN. Required.
	SecretArn pulumi.StringInput
	// SecretResource is the catalog's component of the secret; the rotation
	// waits for it (and so for the first value). Optional.
	SecretResource pulumi.Resource
	// Environment prefixes the function name. Required.
	Environment string
	// Account selects the application's publisher and version (by partition). Required.
	Account iam.Account
	// SecretsManagerEndpoint is the URL the function calls from the VPC. Required.
	SecretsManagerEndpoint string
	// Network is where the function runs: the database's subnets and the rotator
	// security group. Required.
	Network *Network
	// SecretsKeyArn encrypts the secret (and the master secret). Required.
	SecretsKeyArn pulumi.StringInput
	// MasterSecretArn is the RDS master secret. Required for hosted-multi-user.
	MasterSecretArn pulumi.StringInput
	// Tags are applied to the application's stack.
	Tags map[string]string
}

// HostedRotator is AWS's rotation application deployed for one secret, and
// the secret's rotation pointed at the function the application deployed.
type HostedRotator struct {
	pulumi.ResourceState

	// FunctionName is the deployed function's name.
	FunctionName pulumi.StringOutput `pulumi:"functionName"`
	// FunctionArn is the deployed function's ARN, read from the stack outputs.
	FunctionArn pulumi.StringOutput `pulumi:"functionArn"`
}

// NewHostedRotator deploys the pinned application with our parameters and
// schedules the rotation on the function it created.
func NewHostedRotator(ctx *pulumi.Context, name string, args *HostedRotatorArgs, opts ...pulumi.ResourceOption) (*HostedRotator, error) {
	if args == nil {
		return nil, errors.New("new hosted rotator: args are required")
	}
	a := *args
	st := a.Secret.Rotation.Strategy
	app, err := Hosted(st, a.Account.Partition)
	if err != nil {
		return nil, fmt.Errorf("new hosted rotator %s: %w", name, err)
	}
	switch {
	case a.SecretArn == nil || a.SecretsKeyArn == nil || a.Network == nil || a.SecretsManagerEndpoint == "" || a.Environment == "":
		return nil, fmt.Errorf("new hosted rotator %s: SecretArn, SecretsKeyArn, Network, SecretsManagerEndpoint and Environment are required", name)
	case st == config.HostedMultiUser && a.MasterSecretArn == nil:
		return nil, fmt.Errorf("new hosted rotator %s: hosted-multi-user needs MasterSecretArn", name)
	}

	h := &HostedRotator{}
	if err := ctx.RegisterComponentResource("secrets-platform:rotation:HostedRotator", name, h, opts...); err != nil {
		return nil, fmt.Errorf("register hosted rotator %s: %w", name, err)
	}
	fnName := FunctionName(a.Environment, a.Secret)
	params := pulumi.StringMap{
		"endpoint":            pulumi.String(a.SecretsManagerEndpoint),
		"functionName":        pulumi.String(fnName),
		"vpcSubnetIds":        joinIDs(a.Network.SubnetIDs),
		"vpcSecurityGroupIds": a.Network.SecurityGroupID,
		"kmsKeyArn":           a.SecretsKeyArn,
	}
	if x := a.Secret.Password.ExcludeCharacters; x != "" {
		params["excludeCharacters"] = pulumi.String(x)
	}
	if st == config.HostedMultiUser {
		// RDS encrypts its master secret with the stack's secrets key too.
		params["masterSecretArn"] = a.MasterSecretArn
		params["masterSecretKmsKeyArn"] = a.SecretsKeyArn
	}
	stack, err := serverlessrepository.NewCloudFormationStack(ctx, name+"-application", &serverlessrepository.CloudFormationStackArgs{
		Name:            pulumi.String(fnName),
		ApplicationId:   pulumi.String(app.ApplicationID),
		SemanticVersion: pulumi.String(app.SemanticVersion),
		Capabilities:    pulumi.ToStringArray(HostedCapabilities()),
		Parameters:      params,
		Tags:            pulumi.ToStringMap(maps.Clone(a.Tags)),
	}, pulumi.Parent(h), pulumi.DependsOn(a.Network.Ready))
	if err != nil {
		return nil, fmt.Errorf("deploy hosted rotator %s: %w", fnName, err)
	}
	// The rotation names the function the application really deployed, read
	// from its outputs, never an ARN guessed from the function name.
	fnArn := stack.Outputs.ApplyT(func(outs map[string]string) (string, error) {
		arn, ok := outs[HostedOutput]
		if !ok || arn == "" {
			return "", fmt.Errorf("hosted rotator %s: the application has no %s output", fnName, HostedOutput)
		}
		return arn, nil
	}).(pulumi.StringOutput)

	// The rotation waits for the network too, not only through the stack: its
	// first run, during `pulumi up`, calls Secrets Manager via the endpoint.
	deps := append([]pulumi.Resource{stack}, a.Network.Ready...)
	if a.SecretResource != nil {
		deps = append(deps, a.SecretResource)
	}
	if _, err := secretsmanager.NewSecretRotation(ctx, name+"-rotation", &secretsmanager.SecretRotationArgs{
		SecretId:          a.SecretArn,
		RotationLambdaArn: fnArn,
		RotationRules:     Rules(a.Secret.Rotation),
		RotateImmediately: pulumi.Bool(RotateImmediately(a.Secret)),
	}, pulumi.Parent(h), pulumi.DependsOn(deps)); err != nil {
		return nil, fmt.Errorf("schedule rotation of %s: %w", a.Secret.Name, err)
	}

	h.FunctionName, h.FunctionArn = pulumi.String(fnName).ToStringOutput(), fnArn
	if err := ctx.RegisterResourceOutputs(h, pulumi.Map{"functionName": h.FunctionName, "functionArn": fnArn}); err != nil {
		return nil, fmt.Errorf("register hosted rotator outputs %s: %w", name, err)
	}
	return h, nil
}

// joinIDs is the comma list the application's template parameters take.
func joinIDs(ids pulumi.StringArrayInput) pulumi.StringOutput {
	return ids.ToStringArrayOutput().ApplyT(func(xs []string) string {
		return strings.Join(xs, ",")
	}).(pulumi.StringOutput)
}
