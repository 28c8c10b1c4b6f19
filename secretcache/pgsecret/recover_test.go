package pgsecret

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/secretcache"
)

// stagedAPI answers GetSecretValue per stage from a script: each call pops
// the next password of that stage (the last one repeats); "" means the stage
// does not exist.
type stagedAPI struct {
	mu     sync.Mutex
	script map[string][]string
	calls  map[string]int
}

func (s *stagedAPI) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stage := aws.ToString(in.VersionStage)
	s.calls[stage]++
	seq := s.script[stage]
	pw := ""
	if len(seq) > 0 {
		pw = seq[0]
		if len(seq) > 1 {
			s.script[stage] = seq[1:]
		}
	}
	if pw == "" {
		return nil, errors.New("ResourceNotFoundException: no version with that stage")
	}
	b, err := json.Marshal(Secret{Engine: "postgres", Host: "db.example", Port: 5432, Username: "app", Password: pw, DBName: "orders", SSL: true})
	if err != nil {
		return nil, err
	}
	return &secretsmanager.GetSecretValueOutput{SecretString: aws.String(string(b))}, nil
}

// TestRecover drives the decision after a refused login through each state a
// single-user rotation can be in when the refusal happens.
func TestRecover(t *testing.T) {
	app := func(pw string) creds { return creds{"app", pw} }
	tests := []struct {
		name      string
		current   []string // AWSCURRENT answers: first fills the cache, then refreshes
		pending   []string
		refused   string
		wantRetry bool
		wantLogin string // password BeforeConnect uses afterwards
	}{
		{"AWSCURRENT already moved: use it", []string{"old", "new"}, []string{""}, "old", true, "new"},
		{"single-user window: fall back to AWSPENDING", []string{"old", "old"}, []string{"new"}, "old", true, "new"},
		{"rotation finished between the reads", []string{"old", "old", "new"}, []string{""}, "old", true, "new"},
		{"no rotation at all: give up", []string{"old"}, []string{""}, "old", false, "old"},
		{"AWSPENDING is the refused one too: give up", []string{"old"}, []string{"old"}, "old", false, "old"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &stagedAPI{script: map[string][]string{
				secretcache.StageCurrent: tt.current, secretcache.StagePending: tt.pending,
			}, calls: map[string]int{}}
			cache, err := secretcache.New(api)
			require.NoError(t, err)
			k, err := NewConnector(cache, "db", Endpoint{Host: "db.example"}, TLS{})
			require.NoError(t, err)
			ctx := t.Context()
			cfg := &pgx.ConnConfig{}
			require.NoError(t, k.BeforeConnect(ctx, cfg), "first login")
			require.Equal(t, tt.current[0], cfg.Password, "first login uses AWSCURRENT")

			// The refused login began after the cache was filled.
			retry, _ := k.recover(ctx, app(tt.refused), k.now().Add(time.Nanosecond))
			assert.Equal(t, tt.wantRetry, retry, "retry")
			require.NoError(t, k.BeforeConnect(ctx, cfg))
			assert.True(t, cfg.Password == tt.wantLogin, "next login uses the expected version's password")
			assert.Equal(t, uint64(1), k.Stats().Refused, "refused logins")
		})
	}
}
