package awsshape

// The one table of what forces AWS to replace a resource rather than update
// it in place, for every type the program registers. pulumi-aws v6 bridges
// the Terraform AWS provider, whose schema marks these fields ForceNew; the
// bridge turns a change to any of them into a replacement. Keys are the
// pulumi-aws input names (snake_case camel-cased, and function_name,
// alarm_name and topic_arn renamed as pulumi-aws renames them).
//
// Source: github.com/hashicorp/terraform-provider-aws, the schema of the file
// named in each row. Rows with a commit were read at that commit for this
// table; the others are the same provider's ForceNew fields as documented
// ("Forces new resource") for the resource, not re-read here.

// forceNew is one row: where the fields come from and the fields.
type forceNew struct {
	source string
	keys   []string
}

var replacedBy = map[string]forceNew{
	"aws:kms/key:Key": {"internal/service/kms/key.go@00a35305dc1b",
		[]string{"customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"}},
	"aws:kms/alias:Alias": {"internal/service/kms/alias.go@01c08000ddb1",
		[]string{"name", "namePrefix"}},
	"aws:secretsmanager/secret:Secret": {"internal/service/secretsmanager/secret.go@00c21cedec06",
		[]string{"name", "namePrefix"}},
	"aws:secretsmanager/secretVersion:SecretVersion": {"internal/service/secretsmanager/secret_version.go@0042e8ea0de2",
		[]string{"secretId", "secretBinary", "secretString", "secretStringWoVersion"}},
	"aws:secretsmanager/secretRotation:SecretRotation": {"internal/service/secretsmanager/secret_rotation.go@0413c661ec1b",
		[]string{"secretId"}},
	"aws:secretsmanager/secretPolicy:SecretPolicy": {"internal/service/secretsmanager/secret_policy.go",
		[]string{"secretArn"}},
	"aws:rds/instance:Instance": {"internal/service/rds/instance.go@00e4b2383885",
		[]string{"availabilityZone", "characterSetName", "customIamInstanceProfile", "dbName", "engine",
			"identifier", "identifierPrefix", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime",
			"snapshotIdentifier", "storageEncrypted", "timezone", "username"}},
	"aws:rds/subnetGroup:SubnetGroup": {"internal/service/rds/subnet_group.go",
		[]string{"name", "namePrefix"}},
	"aws:rds/parameterGroup:ParameterGroup": {"internal/service/rds/parameter_group.go",
		[]string{"name", "namePrefix", "family", "description"}},
	"aws:iam/role:Role": {"internal/service/iam/role.go@0040ea6911af",
		[]string{"name", "namePrefix", "path"}},
	"aws:iam/rolePolicy:RolePolicy": {"internal/service/iam/role_policy.go@02f97af85f89",
		[]string{"name", "namePrefix", "role"}},
	"aws:iam/policy:Policy": {"internal/service/iam/policy.go@01ccd9a2d118",
		[]string{"description", "name", "namePrefix", "path"}},
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"internal/service/iam/role_policy_attachment.go",
		[]string{"role", "policyArn"}},
	"aws:lambda/function:Function": {"internal/service/lambda/function.go@0156d84e6bb4",
		[]string{"name", "packageType"}},
	"aws:lambda/permission:Permission": {"internal/service/lambda/permission.go@04592f03e5d8",
		[]string{"action", "eventSourceToken", "function", "functionUrlAuthType", "principal", "principalOrgId",
			"qualifier", "sourceAccount", "sourceArn", "statementId", "statementIdPrefix"}},
	"aws:cloudwatch/logGroup:LogGroup": {"internal/service/logs/group.go@0073593e7d69",
		[]string{"logGroupClass", "name", "namePrefix"}},
	"aws:cloudwatch/eventRule:EventRule": {"internal/service/events/rule.go@0cdab4ae09a9",
		[]string{"eventBusName", "name", "namePrefix"}},
	"aws:cloudwatch/eventTarget:EventTarget": {"internal/service/events/target.go",
		[]string{"eventBusName", "rule", "targetId"}},
	"aws:cloudwatch/metricAlarm:MetricAlarm": {"internal/service/cloudwatch/metric_alarm.go@055611a65473",
		[]string{"name"}},
	"aws:cfg/rule:Rule": {"internal/service/configservice/config_rule.go",
		[]string{"name"}},
	"aws:sns/topic:Topic": {"internal/service/sns/topic.go",
		[]string{"name", "namePrefix", "fifoTopic"}},
	"aws:sns/topicSubscription:TopicSubscription": {"internal/service/sns/topic_subscription.go",
		[]string{"topic", "protocol", "endpoint"}},
	"aws:sns/topicPolicy:TopicPolicy": {"internal/service/sns/topic_policy.go",
		[]string{"arn"}},
	"aws:ec2/vpc:Vpc": {"internal/service/ec2/vpc_.go",
		[]string{"cidrBlock", "ipv4IpamPoolId", "ipv4NetmaskLength"}},
	"aws:ec2/subnet:Subnet": {"internal/service/ec2/vpc_subnet.go",
		[]string{"availabilityZone", "availabilityZoneId", "cidrBlock", "vpcId"}},
	"aws:ec2/securityGroup:SecurityGroup": {"internal/service/ec2/vpc_security_group.go",
		[]string{"description", "name", "namePrefix", "vpcId"}},
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {"internal/service/ec2/vpc_default_security_group.go",
		[]string{"vpcId"}},
	"aws:ec2/securityGroupRule:SecurityGroupRule": {"internal/service/ec2/vpc_security_group_rule.go",
		[]string{"cidrBlocks", "fromPort", "ipv6CidrBlocks", "prefixListIds", "protocol", "securityGroupId",
			"self", "sourceSecurityGroupId", "toPort", "type"}},
	"aws:ec2/vpcEndpoint:VpcEndpoint": {"internal/service/ec2/vpc_endpoint.go",
		[]string{"serviceName", "vpcEndpointType", "vpcId"}},
	"aws:sqs/queue:Queue": {"internal/service/sqs/queue.go@00a35305dc1b",
		[]string{"fifoQueue", "name", "namePrefix"}},
	"aws:sqs/queuePolicy:QueuePolicy": {"internal/service/sqs/queue_policy.go",
		[]string{"queueUrl"}},
	"aws:sfn/stateMachine:StateMachine": {"internal/service/sfn/state_machine.go",
		[]string{"name", "namePrefix", "type"}},
	"aws:eks/podIdentityAssociation:PodIdentityAssociation": {"internal/service/eks/pod_identity_association.go@00a35305dc1b",
		[]string{"clusterName", "namespace", "serviceAccount"}},
	"aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {"internal/service/serverlessrepo/cloudformation_stack.go@0a7150e2d6c2",
		[]string{"applicationId", "name"}},
}

// ReplaceKeys returns the input properties of typ whose change replaces the
// resource, and false when the table has no row for typ (then nobody knows,
// and a caller must not guess "update").
func ReplaceKeys(typ string) ([]string, bool) {
	row, ok := replacedBy[typ]
	return row.keys, ok
}

// Source returns where the row for typ was taken from (a file of
// hashicorp/terraform-provider-aws, with the commit when it was read at one).
func Source(typ string) string {
	return replacedBy[typ].source
}
