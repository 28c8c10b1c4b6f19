package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// stages is the list of staging labels on one version.
type stages []string

func (s stages) has(stage string) bool { return slices.Contains(s, stage) }

// state is what one DescribeSecret tells every step: the labels on each
// version, and so the current version id without a value fetch.
type state struct {
	arn      string
	enabled  bool
	stages   map[string]stages
	current  string
	previous string
}

// describe reads the secret's metadata; every step starts with it.
func (h *Handler) describe(ctx context.Context, secretID string) (state, error) {
	out, err := h.sm.DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(secretID)})
	if err != nil {
		return state{}, fmt.Errorf("describe secret: %w", err)
	}
	st := state{
		arn:     aws.ToString(out.ARN),
		enabled: aws.ToBool(out.RotationEnabled),
		stages:  make(map[string]stages, len(out.VersionIdsToStages)),
	}
	if st.arn == "" {
		st.arn = secretID
	}
	for id, labels := range out.VersionIdsToStages {
		st.stages[id] = labels
		if stages(labels).has(StageCurrent) {
			st.current = id
		}
		if stages(labels).has(StagePrevious) {
			st.previous = id
		}
	}
	return st, nil
}

// guard applies the checks of AWS's rotation templates, in their order. A token
// already AWSCURRENT passes: the caller treats it as a finished rotation.
func (st state) guard(token string) error {
	if !st.enabled {
		return ErrRotationDisabled
	}
	labels, ok := st.stages[token]
	if !ok {
		return fmt.Errorf("version %s: %w", token, ErrUnknownVersion)
	}
	if labels.has(StageCurrent) {
		return nil
	}
	if !labels.has(StagePending) {
		return fmt.Errorf("version %s: %w", token, ErrNotPending)
	}
	if st.current == "" {
		return ErrNoCurrent
	}
	return nil
}

// labels returns a copy of the labels of every version, for Rotation.Stages.
func (st state) labels() map[string][]string {
	out := make(map[string][]string, len(st.stages))
	for id, l := range st.stages {
		out[id] = slices.Clone(l)
	}
	return out
}
