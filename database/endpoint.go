package database

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ec2"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/acme/secrets-platform/iam"
)

// EndpointPolicy limits the Secrets Manager endpoint to this account's
// principals and secrets, and to the calls rotation and readers make.
func EndpointPolicy(partition, region, account string) iam.Document {
	return iam.New(
		iam.Statement{
			Sid:       "ThisAccountsSecretsOnly",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{fmt.Sprintf("arn:%s:iam::%s:root", partition, account)}},
			Action: iam.Strings{
				"secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
				"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage",
			},
			Resource: iam.Strings{fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:*", partition, region, account)},
		},
		iam.Statement{
			Sid:       "GeneratePasswords",
			Effect:    iam.Allow,
			Principal: &iam.Principal{AWS: iam.Strings{fmt.Sprintf("arn:%s:iam::%s:root", partition, account)}},
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
func SecretsManagerServiceName(partition, region string) (string, error) {
	switch partition {
	case "aws", "aws-us-gov", "aws-cn":
		return "com.amazonaws." + region + ".secretsmanager", nil
	}
	return "", fmt.Errorf("secrets manager endpoint: no service name known for partition %q", partition)
}

// SecretsManagerURL is Secrets Manager's regional URL, which the endpoint's
// private DNS answers inside the VPC. dnsSuffix is the partition's
// (amazonaws.com; amazonaws.com.cn in aws-cn).
func SecretsManagerURL(region, dnsSuffix string) string {
	return "https://" + iam.ViaSecretsManager(region, dnsSuffix)
}

// partitionDNSSuffix is the DNS suffix of the partitions the program deploys
// to, for callers that pass no DNSSuffix.
func partitionDNSSuffix(partition string) (string, bool) {
	switch partition {
	case "aws", "aws-us-gov":
		return "amazonaws.com", true
	case "aws-cn":
		return "amazonaws.com.cn", true
	}
	return "", false
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
