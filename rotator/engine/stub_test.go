package engine_test

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/acme/secrets-platform/rotator/engine"
)

// stubSM is an in-memory stand-in for the engine's consumer-side SecretsAPI,
// for unit tests of the guards only: the protocol itself is tested against moto.
// It models versions, labels and values; the label moves follow Secrets
// Manager's documented behaviour.
type stubSM struct {
	mu       sync.Mutex
	arn      string
	enabled  bool
	labels   map[string][]string
	values   map[string]string
	calls    []string
	puts     []*secretsmanager.PutSecretValueInput
	updates  []*secretsmanager.UpdateSecretVersionStageInput
	failOp   string
	failWith error
}

func newStub(enabled bool) *stubSM {
	return &stubSM{
		arn:     "arn:aws:secretsmanager:us-east-1:123456789012:secret:/dev/app/db-AbCdEf",
		enabled: enabled,
		labels:  map[string][]string{},
		values:  map[string]string{},
	}
}

func (s *stubSM) version(id, value string, labels ...string) *stubSM {
	s.labels[id] = labels
	if value != "" {
		s.values[id] = value
	}
	return s
}

func (s *stubSM) record(op string) error {
	s.calls = append(s.calls, op)
	if op == s.failOp {
		return s.failWith
	}
	return nil
}

func (s *stubSM) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

func (s *stubSM) DescribeSecret(_ context.Context, _ *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record("DescribeSecret"); err != nil {
		return nil, err
	}
	m := make(map[string][]string, len(s.labels))
	for id, l := range s.labels {
		m[id] = slices.Clone(l)
	}
	return &secretsmanager.DescribeSecretOutput{ARN: aws.String(s.arn), RotationEnabled: aws.Bool(s.enabled), VersionIdsToStages: m}, nil
}

func (s *stubSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record("GetSecretValue"); err != nil {
		return nil, err
	}
	id := aws.ToString(in.VersionId)
	v, ok := s.values[id]
	if !ok || !slices.Contains(s.labels[id], aws.ToString(in.VersionStage)) {
		return nil, &types.ResourceNotFoundException{Message: aws.String("no value for " + id)}
	}
	return &secretsmanager.GetSecretValueOutput{VersionId: aws.String(id), SecretString: aws.String(v)}, nil
}

func (s *stubSM) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record("PutSecretValue"); err != nil {
		return nil, err
	}
	s.puts = append(s.puts, in)
	id := aws.ToString(in.ClientRequestToken)
	for _, stage := range in.VersionStages {
		s.strip(stage)
	}
	s.labels[id] = slices.Clone(in.VersionStages)
	s.values[id] = aws.ToString(in.SecretString)
	return &secretsmanager.PutSecretValueOutput{VersionId: aws.String(id)}, nil
}

func (s *stubSM) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.record("UpdateSecretVersionStage"); err != nil {
		return nil, err
	}
	s.updates = append(s.updates, in)
	stage := aws.ToString(in.VersionStage)
	from, to := aws.ToString(in.RemoveFromVersionId), aws.ToString(in.MoveToVersionId)
	if from != "" {
		if !slices.Contains(s.labels[from], stage) {
			return nil, errors.New("stage not on version")
		}
		s.labels[from] = slices.DeleteFunc(s.labels[from], func(l string) bool { return l == stage })
	}
	if to != "" {
		s.labels[to] = append(s.labels[to], stage)
	}
	if stage == engine.StageCurrent && from != "" {
		s.strip(engine.StagePrevious)
		s.labels[from] = append(s.labels[from], engine.StagePrevious)
	}
	return &secretsmanager.UpdateSecretVersionStageOutput{}, nil
}

func (s *stubSM) strip(stage string) {
	for id, l := range s.labels {
		s.labels[id] = slices.DeleteFunc(l, func(x string) bool { return x == stage })
	}
}

// stubStrategy records what the engine hands it.
type stubStrategy struct {
	value     string
	createErr error
	setErr    error
	testErr   error
	seen      map[string]engine.Rotation
	calls     []string
}

func (s *stubStrategy) Name() string { return "stub" }

func (s *stubStrategy) note(step string, r engine.Rotation) {
	if s.seen == nil {
		s.seen = map[string]engine.Rotation{}
	}
	s.seen[step] = r
	s.calls = append(s.calls, step)
}

func (s *stubStrategy) Create(_ context.Context, r engine.Rotation) ([]byte, error) {
	s.note("Create", r)
	return []byte(s.value), s.createErr
}

func (s *stubStrategy) Set(_ context.Context, r engine.Rotation) error {
	s.note("Set", r)
	return s.setErr
}

func (s *stubStrategy) Test(_ context.Context, r engine.Rotation) error {
	s.note("Test", r)
	return s.testErr
}

// needsStrategy is a stubStrategy that declares what it reads.
type needsStrategy struct {
	stubStrategy
	needs engine.Needs
}

func (s *needsStrategy) Needs() engine.Needs { return s.needs }
