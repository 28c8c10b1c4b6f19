package iam

// Service principals that assume workload roles.
const (
	ECSTasksService = "ecs-tasks.amazonaws.com"
	LambdaService   = "lambda.amazonaws.com"
)

// ECSTaskTrust lets ECS tasks of this account and region, and no other
// account's, assume a role: aws:SourceAccount and aws:SourceArn stop a
// confused deputy in another account from borrowing it.
func ECSTaskTrust(a Account) Document {
	return New(Statement{
		Sid:       "ECSTasksOfThisAccount",
		Effect:    Allow,
		Principal: &Principal{Service: Strings{ECSTasksService}},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Conditions{
			"StringEquals": {"aws:SourceAccount": {a.ID}},
			"ArnLike":      {"aws:SourceArn": {a.ARN("ecs", "*")}},
		},
	})
}

// LambdaTrust lets Lambda assume a function execution role for functions of
// this account only.
func LambdaTrust(accountID string) Document {
	return New(Statement{
		Sid:       "LambdaFunctionsOfThisAccount",
		Effect:    Allow,
		Principal: &Principal{Service: Strings{LambdaService}},
		Action:    Strings{"sts:AssumeRole"},
		Condition: Conditions{"StringEquals": {"aws:SourceAccount": {accountID}}},
	})
}
