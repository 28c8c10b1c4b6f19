package engine

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/acme/secrets-platform/rotator/contract"
)

// recordSwitch labels the token's version, now AWSCURRENT, with the switch
// time when the strategy is a SwitchRecorder and the version has no such
// label yet (decision D4). It runs after the move, so a crash in between
// leaves a later time, never an earlier one: the replaced key is then
// revoked late, which costs nothing, rather than early. Older switch labels
// are the grace sweeper's to remove.
func (h *Handler) recordSwitch(ctx context.Context, log *slog.Logger, r Rotation) error {
	rec, ok := h.s.(SwitchRecorder)
	if !ok {
		return nil
	}
	if slices.ContainsFunc(r.Stages[r.Token], isSwitchLabel) {
		return nil
	}
	label := contract.SwitchedStage(rec.SwitchTime())
	in := &secretsmanager.UpdateSecretVersionStageInput{
		SecretId:        aws.String(r.SecretARN),
		VersionStage:    aws.String(label),
		MoveToVersionId: aws.String(r.Token),
	}
	// Secrets Manager refuses to move a label that another version carries
	// unless the call names that version (two switches within a second).
	for id, labels := range r.Stages {
		if id != r.Token && slices.Contains(labels, label) {
			in.RemoveFromVersionId = aws.String(id)
		}
	}
	if _, err := h.sm.UpdateSecretVersionStage(ctx, in); err != nil {
		return fmt.Errorf("label %s with the switch time %s: %w", r.Token, label, err)
	}
	log.InfoContext(ctx, "switch recorded", "label", label)
	return nil
}

func isSwitchLabel(label string) bool { return strings.HasPrefix(label, contract.SwitchedStagePrefix) }
