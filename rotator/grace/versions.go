package grace

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// SecretsManager holds the calls the grace logic makes on the rotated
// secret, all within the rotation protocol's own actions (SECURITY-RULES 12):
// DescribeSecret for the labels, GetSecretValue for a key, and
// UpdateSecretVersionStage for the switch labels.
type SecretsManager interface {
	DescribeSecret(ctx context.Context, in *secretsmanager.DescribeSecretInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error)
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
	UpdateSecretVersionStage(ctx context.Context, in *secretsmanager.UpdateSecretVersionStageInput, optFns ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error)
}

// stages is where the rotation labels sit on a secret's versions.
type stages struct {
	current, previous, pending string
	// revoked carries contract.RevokedStage: the version whose key a sweep
	// revoked last.
	revoked string
	// switched is the time the newest switch label on the AWSCURRENT version
	// records: when the previous key stopped being current. Zero when the
	// version has none (a put by hand, or a rotation older than the labels).
	switched time.Time
	// switchLabels are every switch label but that newest one, by version:
	// the sweeper removes them.
	switchLabels map[string][]string
}

// readStages reads the labels of the secret's versions.
func readStages(ctx context.Context, sm SecretsManager, secretID string) (stages, error) {
	out, err := sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return stages{}, fmt.Errorf("describe %s: %w", secretID, err)
	}
	return stagesOf(secretID, out.VersionIdsToStages)
}

// stagesOf finds the rotation and switch labels in the labels of every
// version.
func stagesOf(secretID string, labels map[string][]string) (stages, error) {
	s := stages{switchLabels: map[string][]string{}}
	var newest string
	for id, ls := range labels {
		if slices.Contains(ls, engine.StageCurrent) {
			s.current = id
		}
		if slices.Contains(ls, engine.StagePrevious) {
			s.previous = id
		}
		if slices.Contains(ls, engine.StagePending) {
			s.pending = id
		}
		if slices.Contains(ls, contract.RevokedStage) {
			s.revoked = id
		}
	}
	if s.current == "" {
		return stages{}, fmt.Errorf("describe %s: no version is %s", secretID, engine.StageCurrent)
	}
	for id, ls := range labels {
		for _, l := range ls {
			at, ok := contract.ParseSwitchedStage(l)
			if !ok {
				continue
			}
			if id == s.current && at.After(s.switched) {
				if newest != "" {
					s.switchLabels[id] = append(s.switchLabels[id], newest)
				}
				s.switched, newest = at, l
				continue
			}
			s.switchLabels[id] = append(s.switchLabels[id], l)
		}
	}
	return s, nil
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

// labelSwitch records a switch at t on the current version, for a current
// version that carries none: the grace then counts from the first sweep that
// saw it, later than the real switch, never earlier.
func labelSwitch(ctx context.Context, sm SecretsManager, secretID, versionID string, t time.Time) error {
	label := contract.SwitchedStage(t)
	if _, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(label), MoveToVersionId: aws.String(versionID),
	}); err != nil {
		return fmt.Errorf("label %s of %s with %s: %w", versionID, secretID, label, err)
	}
	return nil
}

// markRevoked moves contract.RevokedStage to the version whose key was just
// revoked, from the version that carried it.
func markRevoked(ctx context.Context, sm SecretsManager, secretID, versionID, from string) error {
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(secretID), VersionStage: aws.String(contract.RevokedStage), MoveToVersionId: aws.String(versionID),
	}
	if from != "" {
		in.RemoveFromVersionId = aws.String(from)
	}
	if _, err := sm.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("label %s of %s with %s: %w", versionID, secretID, contract.RevokedStage, err)
	}
	return nil
}

// removeOldSwitchLabels removes every switch label but the newest on the
// current version, so a secret never nears Secrets Manager's 20 labels per
// secret. Each label is one call; after a rotation there is one to remove.
func removeOldSwitchLabels(ctx context.Context, sm SecretsManager, secretID string, st stages) error {
	for _, id := range slices.Sorted(maps.Keys(st.switchLabels)) {
		for _, l := range st.switchLabels[id] {
			if _, err := sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
				SecretId: aws.String(secretID), VersionStage: aws.String(l), RemoveFromVersionId: aws.String(id),
			}); err != nil {
				return fmt.Errorf("remove old switch label %s from %s of %s: %w", l, id, secretID, err)
			}
		}
	}
	return nil
}
