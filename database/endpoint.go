package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// EndpointPolicy limits the Secrets Manager endpoint to this account's
// principals and secrets, and to the calls rotation and readers make.
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

func newEndpoint(ctx *pulumi.Context, name, serviceName string, policy iam.Document, net network, sg *ec2.SecurityGroup, tags pulumi.StringMap, parent pulumi.Resource) (*ec2.VpcEndpoint, error) {
	doc, err := policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("secrets manager endpoint policy: %w", err)
	}
	ep, err := ec2.NewVpcEndpoint(ctx, name+"-secretsmanager-endpoint", &ec2.VpcEndpointArgs{
		VpcId:             net.VpcID,
		ServiceName:       pulumi.String(serviceName),
		VpcEndpointType:   pulumi.String("Interface"),
		SubnetIds:         net.SubnetIDs,
		SecurityGroupIds:  pulumi.StringArray{sg.ID()},
		PrivateDnsEnabled: pulumi.Bool(true),
		Policy:            pulumi.String(doc),
		Tags:              tags,
	}, pulumi.Parent(parent))
	if err != nil {
		return nil, fmt.Errorf("create secrets manager endpoint: %w", err)
	}
	return ep, nil
}
