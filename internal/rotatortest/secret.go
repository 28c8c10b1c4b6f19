package rotatortest

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// Secret identifies a secret created for a test.
type Secret struct {
	ARN  string
	Name string
	// VersionID is the id of the first version, AWSCURRENT after creation.
	VersionID string
}

// Version is one version of a secret: its id and its SecretString.
type Version struct {
	ID    string
	Value string
}

// CreateSecret creates the secret name with value as its first, AWSCURRENT
// version.
func (e *Env) CreateSecret(t testing.TB, name, value string) Secret {
	t.Helper()
	out, err := e.SM.CreateSecret(ctx(t), &secretsmanager.CreateSecretInput{
		Name:         aws.String(name),
		SecretString: aws.String(value),
	})
	if err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
	return Secret{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: aws.ToString(out.VersionId)}
}

// Stages returns the staging labels of every version of the secret, from
// DescribeSecret.
func (e *Env) Stages(t testing.TB, secretID string) map[string][]string {
	t.Helper()
	out, err := e.SM.DescribeSecret(ctx(t), &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		t.Fatalf("describe secret %s: %v", secretID, err)
	}
	return out.VersionIdsToStages
}

// Value returns the value of one version, read by stage (and by id when id is
// not empty). It fails the test when there is no such value.
func (e *Env) Value(t testing.TB, secretID, id, stage string) Version {
	t.Helper()
	in := &secretsmanager.GetSecretValueInput{SecretId: aws.String(secretID), VersionStage: aws.String(stage)}
	if id != "" {
		in.VersionId = aws.String(id)
	}
	out, err := e.SM.GetSecretValue(ctx(t), in)
	if err != nil {
		t.Fatalf("get %s value of %s (version %q): %v", stage, secretID, id, err)
	}
	return Version{ID: aws.ToString(out.VersionId), Value: aws.ToString(out.SecretString)}
}

// Current returns the AWSCURRENT version; take it before a rotation to hand to
// AssertRotated or AssertUnchanged afterwards.
func (e *Env) Current(t testing.TB, secretID string) Version {
	t.Helper()
	return e.Value(t, secretID, "", "AWSCURRENT")
}

// versionsWith returns the ids of the versions that carry stage.
func versionsWith(stages map[string][]string, stage string) []string {
	var ids []string
	for id, labels := range stages {
		for _, l := range labels {
			if l == stage {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

// CreatePlaceholderSecret creates the secret name as the program does
// (secrets.NewSecret, decision D3): a secret without a value, then a first
// version holding contract.Placeholder(fields) with the PLACEHOLDER label.
// Secrets Manager attaches AWSCURRENT to a secret's first version (AWS
// PutSecretValue reference: "If this operation creates the first version
// for the secret, then Secrets Manager automatically attaches the staging
// label AWSCURRENT"), and moto does the same; the helper checks it.
func (e *Env) CreatePlaceholderSecret(t testing.TB, name string, fields map[string]any) Secret {
	t.Helper()
	value, err := contract.Placeholder(fields)
	if err != nil {
		t.Fatalf("placeholder of %s: %v", name, err)
	}
	out, err := e.SM.CreateSecret(ctx(t), &secretsmanager.CreateSecretInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("create secret %s: %v", name, err)
	}
	put, err := e.SM.PutSecretValue(ctx(t), &secretsmanager.PutSecretValueInput{
		SecretId:      out.ARN,
		SecretString:  aws.String(value),
		VersionStages: []string{contract.PlaceholderStage},
	})
	if err != nil {
		t.Fatalf("put placeholder of %s: %v", name, err)
	}
	id := aws.ToString(put.VersionId)
	if got := e.Stages(t, aws.ToString(out.ARN))[id]; !slices.Contains(got, engine.StageCurrent) || !slices.Contains(got, contract.PlaceholderStage) {
		t.Fatalf("placeholder of %s has stages %v, want AWSCURRENT and %s", name, got, contract.PlaceholderStage)
	}
	return Secret{ARN: aws.ToString(out.ARN), Name: aws.ToString(out.Name), VersionID: id}
}
