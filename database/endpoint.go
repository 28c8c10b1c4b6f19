package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/config"
	"github.com/acme/secrets-platform/iam"
)

// EndpointPolicy limits the Secrets Manager endpoint of a VPC the stack
// creates to this account's principals and secrets, and to the calls
// rotation and readers make. Nothing but the stack lives in that VPC.
func EndpointPolicy(acct iam.Account) iam.Document {
	return iam.New(
		iam.Statement{
			Sid:       "ThisAccountsSecretsOnly",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{acct.Root()}},
			Action: iam.Strings{
				"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
				"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage",
			},
			Resource: iam.Strings{acct.ARN("secretsmanager", "secret:*")},
		},
		iam.Statement{
			Sid:       "GeneratePasswords",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{acct.Root()}},
			Action:    iam.Strings{"secretsmanager:GetRandomPassword"},
			Resource:  iam.Strings{"*"},
		},
	)
}

// SharedEndpointPolicy is the policy of an endpoint the program creates in
// an existing VPC: it lets every call through, as AWS's default policy does,
// so the endpoint never narrows what another tenant, or this stack's
// workloads reading other accounts' secrets, may do; IAM, key and resource
// policies decide. It is written out rather than left unset because the
// provider keeps a policy that is merely dropped, and a stack that had
// EndpointPolicy there must lose it. The "*" principal is the named
// exception to the program never writing one: an endpoint policy grants
// nothing, it only limits.
func SharedEndpointPolicy() iam.Document {
	return iam.New(iam.Statement{
		Sid:       "EndpointDoesNotLimitTenants",
		Effect:    iam.Allow,
		Principal: &iam.Principal{Any: true},
		Action:    iam.Strings{"secretsmanager:*"},
		Resource:  iam.Strings{"*"},
	})
}

// SecretsManagerServiceName is the interface-endpoint service of Secrets
// Manager in a region. It is com.amazonaws.<region>.secretsmanager in aws and
// aws-us-gov and also in aws-cn: only some China services take the
// cn.com.amazonaws prefix, and Secrets Manager is not one of them (the list
// `aws ec2 describe-vpc-endpoint-services` gives, as kept in aws-cdk's
// InterfaceVpcEndpointAwsService, has ec2, lambda, rds, sts, ... but not
// secretsmanager). Other partitions are refused rather than guessed.
func SecretsManagerServiceName(acct iam.Account) (string, error) {
	switch acct.Partition {
	case "aws", "aws-us-gov", "aws-cn":
		return "com.amazonaws." + acct.Region + ".secretsmanager", nil
	}
	return "", fmt.Errorf("secrets manager endpoint: no service name known for partition %q", acct.Partition)
}

// endpoint is how the rotator's subnets reach Secrets Manager.
type endpoint struct {
	// created is the endpoint the program made; nil for an existing one.
	created *ec2.VpcEndpoint
	// existingGroups are an existing endpoint's security groups.
	existingGroups []string
	// url is the endpoint's own https URL when the rotators must be pointed
	// at it (config.Endpoint.NeedsURL), else "".
	url pulumi.StringOutput
}

// lookupEndpoint finds the existing endpoint by id in the database's VPC and
// for Secrets Manager: AWS finds nothing, and the lookup fails, when the id
// is another VPC's or another service's.
func lookupEndpoint(ctx *pulumi.Context, id, vpcID, serviceName string, parent pulumi.Resource) (endpoint, error) {
	got, err := ec2.LookupVpcEndpoint(ctx, &ec2.LookupVpcEndpointArgs{Id: &id, VpcId: &vpcID, ServiceName: &serviceName}, pulumi.Parent(parent))
	if err != nil {
		return endpoint{}, fmt.Errorf("look up database.network.secretsManagerEndpoint.id %s (a %s endpoint in %s): %w", id, serviceName, vpcID, err)
	}
	if len(got.DnsEntries) == 0 || len(got.SecurityGroupIds) == 0 {
		return endpoint{}, fmt.Errorf("database.network.secretsManagerEndpoint.id %s: an interface endpoint with a DNS name and a security group, got %d names and %d groups", id, len(got.DnsEntries), len(got.SecurityGroupIds))
	}
	// The first entry is the endpoint's regional name, which resolves in
	// the VPC whether or not its owner turned private DNS on.
	url := pulumi.String("https://" + got.DnsEntries[0].DnsName).ToStringOutput()
	return endpoint{existingGroups: got.SecurityGroupIds, url: url}, nil
}

type endpointArgs struct {
	mode        config.Endpoint
	serviceName string
	account     iam.Account
	net         network
	group       *ec2.SecurityGroup
	tags        pulumi.StringMap
}

// newEndpoint creates the endpoint: with private DNS and this account's
// policy in a VPC of the stack's own; in an existing VPC with the shared
// policy, and private DNS only where config acknowledged its VPC-wide effect.
func newEndpoint(ctx *pulumi.Context, name string, a endpointArgs, parent pulumi.Resource) (endpoint, error) {
	policy := SharedEndpointPolicy()
	if a.mode.RestrictedPolicy() {
		policy = EndpointPolicy(a.account)
	}
	doc, err := policy.JSON()
	if err != nil {
		return endpoint{}, fmt.Errorf("secrets manager endpoint policy: %w", err)
	}
	ep, err := ec2.NewVpcEndpoint(ctx, name+"-secretsmanager-endpoint", &ec2.VpcEndpointArgs{
		VpcId:             a.net.VpcID,
		ServiceName:       pulumi.String(a.serviceName),
		VpcEndpointType:   pulumi.String("Interface"),
		SubnetIds:         a.net.SubnetIDs,
		SecurityGroupIds:  pulumi.StringArray{a.group.ID()},
		PrivateDnsEnabled: pulumi.Bool(a.mode.PrivateDNS()),
		Policy:            pulumi.String(doc),
		Tags:              a.tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return endpoint{}, fmt.Errorf("create secrets manager endpoint: %w", err)
	}
	url := pulumi.String("").ToStringOutput()
	if a.mode.NeedsURL() {
		url = ep.DnsEntries.ApplyT(func(es []ec2.VpcEndpointDnsEntry) (string, error) {
			if len(es) == 0 || es[0].DnsName == nil {
				return "", fmt.Errorf("secrets manager endpoint: AWS reported no DNS name")
			}
			return "https://" + *es[0].DnsName, nil
		}).(pulumi.StringOutput)
	}
	return endpoint{created: ep, url: url}, nil
}
