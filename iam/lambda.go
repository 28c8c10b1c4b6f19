package iam

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	awsiam "github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

// FunctionLogGroup is the log group Lambda writes a function's logs to.
func FunctionLogGroup(function string) string { return "/aws/lambda/" + function }

// FunctionLogGroupARN is its ARN, as IAM names it.
func FunctionLogGroupARN(a Account, function string) string {
	return a.ARN("logs", "log-group:"+FunctionLogGroup(function))
}

// networkInterfaceActions are what Lambda needs, as the function's role, to
// run a function in a VPC (what AWSLambdaVPCAccessExecutionRole grants but
// its log statement, which covers every log group). None of them has
// resource-level permissions.
func networkInterfaceActions() Strings {
	return Strings{
		"ec2:AssignPrivateIpAddresses", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:UnassignPrivateIpAddresses",
	}
}

// FunctionLogsPolicy lets a function's role write its own log group and no
// other: streams in /aws/lambda/<function>, never a new log group (the
// program creates it, with a retention period and the platform key) and
// never another function's logs. inVPC adds the network interfaces of a
// function that runs in the database's VPC.
func FunctionLogsPolicy(a Account, function string, inVPC bool) Document {
	group := FunctionLogGroupARN(a, function)
	sts := []Statement{{
		Sid:      "WriteOwnLogGroupOnly",
		Effect:   Allow,
		Action:   Strings{"logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: Strings{group, group + ":log-stream:*"},
	}}
	if inVPC {
		sts = append(sts, Statement{
			Sid: "NetworkInterfacesInTheDatabaseVpc", Effect: Allow,
			Action: networkInterfaceActions(), Resource: Strings{"*"},
		})
	}
	return New(sts...)
}

// functionLogs registers a lambda workload's log group and the inline
// policy that writes it. The log group exists before the function first
// runs, so the role never needs logs:CreateLogGroup; a function that ran
// before the stack managed it has a group already, which is imported (the
// README's Access section has the command).
func (w *Workload) functionLogs(ctx *pulumi.Context, name string, role pulumi.StringInput, args *WorkloadArgs, tags pulumi.StringMap) error {
	lg, err := cloudwatch.NewLogGroup(ctx, name+"-logs", &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(FunctionLogGroup(args.FunctionName)),
		RetentionInDays: pulumi.Int(args.LogRetentionDays),
		KmsKeyId:        args.LogKeyArn,
		Tags:            tags,
	}, pulumi.Parent(w))
	if err != nil {
		return fmt.Errorf("create log group of %s: %w", args.FunctionName, err)
	}
	w.LogGroupName = lg.Name
	doc, err := FunctionLogsPolicy(args.Account, args.FunctionName, args.NetworkInterfaces).JSON()
	if err != nil {
		return err
	}
	if _, err := awsiam.NewRolePolicy(ctx, name+"-logs-policy", &awsiam.RolePolicyArgs{
		Role:   role,
		Name:   pulumi.String(args.RoleName + "-logs"),
		Policy: pulumi.String(doc),
	}, pulumi.Parent(w), pulumi.DependsOn([]pulumi.Resource{lg})); err != nil {
		return fmt.Errorf("create log policy of %s: %w", args.FunctionName, err)
	}
	return nil
}
