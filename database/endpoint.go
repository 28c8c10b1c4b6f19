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

func newEndpoint(ctx *pulumi.Context, name, region string, policy iam.Document, net network, sg *ec2.SecurityGroup, tags pulumi.StringMap, parent pulumi.Resource) (*ec2.VpcEndpoint, error) {
	doc, err := policy.JSON()
	if err != nil {
		return nil, fmt.Errorf("secrets manager endpoint policy: %w", err)
	}
	ep, err := ec2.NewVpcEndpoint(ctx, name+"-secretsmanager-endpoint", &ec2.VpcEndpointArgs{
		VpcId:             net.VpcID,
		ServiceName:       pulumi.String("com.amazonaws." + region + ".secretsmanager"),
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
