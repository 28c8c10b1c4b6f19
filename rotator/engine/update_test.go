package engine_test

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// updateStage moves stage from one version to another, as an operator would.
func updateStage(arn, stage, to, from string) *secretsmanager.UpdateSecretVersionStageInput {
	return &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:            aws.String(arn),
		VersionStage:        aws.String(stage),
		MoveToVersionId:     aws.String(to),
		RemoveFromVersionId: aws.String(from),
	}
}
