package grace

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/engine"
)

// SecretsManager holds the two calls the grace logic makes on the rotated secret.
type SecretsManager interface {
	ListSecretVersionIds(ctx context.Context, in *secretsmanager.ListSecretVersionIdsInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.ListSecretVersionIdsOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// maxVersionPages bounds the ListSecretVersionIds loop; a secret keeps about 100
// versions, so a longer walk means the paging is broken, not that there is more.
const maxVersionPages = 50

// stages is where the rotation labels sit on a secret's versions.
type stages struct {
	current, previous, pending string
	// switched is the CreatedDate of the AWSCURRENT version: the latest moment
	// the previous key can have been current.
	switched time.Time
}

// readStages lists the secret's versions and finds the rotation labels.
func readStages(ctx context.Context, sm SecretsManager, secretID string) (stages, error) {
	var s stages
	in := &secretsmanager.ListSecretVersionIdsInput{SecretId: aws.String(secretID)}
	for range maxVersionPages {
		out, err := sm.ListSecretVersionIds(ctx, in)
		if err != nil {
			return stages{}, fmt.Errorf("list versions of %s: %w", secretID, err)
		}
		for _, v := range out.Versions {
			id := aws.ToString(v.VersionId)
			if slices.Contains(v.VersionStages, engine.StageCurrent) {
				s.current = id
				s.switched = aws.ToTime(v.CreatedDate)
			}
			if slices.Contains(v.VersionStages, engine.StagePrevious) {
				s.previous = id
			}
			if slices.Contains(v.VersionStages, engine.StagePending) {
				s.pending = id
			}
		}
		// moto answers an empty NextToken on the last page instead of none.
		if aws.ToString(out.NextToken) == "" {
			if s.current == "" {
				return stages{}, fmt.Errorf("list versions of %s: no version is %s", secretID, engine.StageCurrent)
			}
			if s.switched.IsZero() {
				return stages{}, fmt.Errorf("list versions of %s: %s version has no CreatedDate", secretID, engine.StageCurrent)
			}
			return s, nil
		}
		in.NextToken = out.NextToken
	}
	return stages{}, fmt.Errorf("list versions of %s: more than %d pages", secretID, maxVersionPages)
}

// readVersion reads one version by id (never by bare stage: moto can answer a
// stale version after a label move). ok is false when the version has no value,
// which is how a pending version looks before createSecret stored one.
func readVersion(ctx context.Context, sm SecretsManager, secretID, versionID string) (engine.Version, bool, error) {
	out, err := sm.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{
		SecretId:  aws.String(secretID),
		VersionId: aws.String(versionID),
	})
	if err != nil {
		var nf *types.ResourceNotFoundException
		if errors.As(err, &nf) {
			return engine.Version{}, false, nil
		}
		return engine.Version{}, false, fmt.Errorf("read version %s of %s: %w", versionID, secretID, err)
	}
	if out.SecretString == nil {
		return engine.Version{}, false, nil
	}
	return engine.Version{ID: versionID, Value: []byte(aws.ToString(out.SecretString))}, true, nil
}
