package mockrun

// Type tokens of the resources the program registers that tests and the rule
// checker look up in a recording.
const (
	TypeKMSKey               = "aws:kms/key:Key"
	TypeSecret               = "aws:secretsmanager/secret:Secret"
	TypeSecretVersion        = "aws:secretsmanager/secretVersion:SecretVersion"
	TypeSecretPolicy         = "aws:secretsmanager/secretPolicy:SecretPolicy"
	TypeRDSInstance          = "aws:rds/instance:Instance"
	TypeRole                 = "aws:iam/role:Role"
	TypeRolePolicy           = "aws:iam/rolePolicy:RolePolicy"
	TypePolicy               = "aws:iam/policy:Policy"
	TypeRolePolicyAttachment = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
	TypeTopic                = "aws:sns/topic:Topic"
	TypeTopicPolicy          = "aws:sns/topicPolicy:TopicPolicy"
	TypeEventRule            = "aws:cloudwatch/eventRule:EventRule"
	TypeEventTarget          = "aws:cloudwatch/eventTarget:EventTarget"
	TypeMetricAlarm          = "aws:cloudwatch/metricAlarm:MetricAlarm"
	TypeConfigRule           = "aws:cfg/rule:Rule"
	TypeFunction             = "aws:lambda/function:Function"
	TypeAWSProvider          = "pulumi:providers:aws"
	// TypeWorkload and TypeSharing are this program's components whose
	// policies are readers' (SECURITY-RULES 5).
	TypeWorkload = "secrets-platform:iam:Workload"
	TypeSharing  = "secrets-platform:crossaccount:Sharing"
)
