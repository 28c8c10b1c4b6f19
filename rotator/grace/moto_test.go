package grace_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
)

// keyValue is a secret value holding key id, as the key strategies store it.
func keyValue(id string) string {
	if id == "" {
		p, _ := contract.Placeholder(nil)
		return p
	}
	return `{"keyId":"` + id + `","apiKey":"secret-of-` + id + `"}`
}

// secretWith creates a secret in moto whose versions hold the given key ids in
// order: the last is AWSCURRENT, the one before it AWSPREVIOUS. Each switch is
// labelled as finishSecret labels it, the last one now and each earlier one
// a second before the next. It returns the secret's ARN and the version ids.
func secretWith(t *testing.T, sm *secretsmanager.Client, name string, keyIDs ...string) (string, []string) {
	t.Helper()
	arn, ids := unlabelledSecretWith(t, sm, name, keyIDs...)
	now := time.Now()
	for i, id := range ids[1:] {
		label(t, sm, arn, id, contract.SwitchedStage(now.Add(-time.Duration(len(ids)-2-i)*time.Second)))
	}
	return arn, ids
}

// label puts a label on a version.
func label(t *testing.T, sm *secretsmanager.Client, arn, id, label string) {
	t.Helper()
	_, err := sm.UpdateSecretVersionStage(context.Background(), &secretsmanager.UpdateSecretVersionStageInput{
		SecretId: aws.String(arn), VersionStage: aws.String(label), MoveToVersionId: aws.String(id),
	})
	require.NoError(t, err, "label %s with %s", id, label)
}

// switchLabels returns the switch labels of every version.
func switchLabels(t *testing.T, sm *secretsmanager.Client, arn string) map[string][]string {
	t.Helper()
	out, err := sm.DescribeSecret(context.Background(), &secretsmanager.DescribeSecretInput{SecretId: aws.String(arn)})
	require.NoError(t, err)
	got := map[string][]string{}
	for id, ls := range out.VersionIdsToStages {
		for _, l := range ls {
			if strings.HasPrefix(l, contract.SwitchedStagePrefix) {
				got[id] = append(got[id], l)
			}
		}
	}
	return got
}

// unlabelledSecretWith is secretWith without the switch labels: the versions
// of a put by hand, or of rotations older than the labels.
func unlabelledSecretWith(t *testing.T, sm *secretsmanager.Client, name string, keyIDs ...string) (string, []string) {
	t.Helper()
	ctx := context.Background()
	out, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name:               aws.String(name),
		SecretString:       aws.String(keyValue(keyIDs[0])),
		ClientRequestToken: aws.String(versionToken(name, 0)),
	})
	require.NoError(t, err, "create secret %s", name)
	ids := []string{aws.ToString(out.VersionId)}
	for i, k := range keyIDs[1:] {
		id := versionToken(name, i+1)
		_, err := sm.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{
			SecretId:           out.ARN,
			ClientRequestToken: aws.String(id),
			SecretString:       aws.String(keyValue(k)),
			VersionStages:      []string{"AWSPENDING"},
		})
		require.NoError(t, err, "put version %s", id)
		_, err = sm.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{
			SecretId:            out.ARN,
			VersionStage:        aws.String("AWSCURRENT"),
			MoveToVersionId:     aws.String(id),
			RemoveFromVersionId: aws.String(ids[len(ids)-1]),
		})
		require.NoError(t, err, "move AWSCURRENT to %s", id)
		ids = append(ids, id)
	}
	return aws.ToString(out.ARN), ids
}

// versionToken is a ClientRequestToken of the 32 to 64 characters Secrets
// Manager accepts, readable in a failure message.
func versionToken(name string, i int) string {
	tok := fmt.Sprintf("%s-v%d-%s", name, i, strings.Repeat("0", 32))
	return tok[:min(len(tok), 64)]
}

// provider plays a key provider behind the Revoker interface: the grace logic
// is under test here, the real providers' revokers are tested in their packages
// against servers that follow their contracts.
type provider struct {
	mu        sync.Mutex
	active    map[string]bool
	revokes   []string
	revokeErr error
}

func newProvider(active ...string) *provider {
	p := &provider{active: map[string]bool{}}
	for _, k := range active {
		p.active[k] = true
	}
	return p
}

func (p *provider) KeyID(v engine.Version) (string, error) {
	var val struct {
		KeyID string `json:"keyId"`
	}
	if err := json.Unmarshal(v.Value, &val); err != nil {
		return "", errors.New("value is not JSON")
	}
	return val.KeyID, nil
}

func (p *provider) Revoke(_ context.Context, v engine.Version) error {
	id, err := p.KeyID(v)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.revokes = append(p.revokes, id)
	if p.revokeErr != nil {
		return p.revokeErr
	}
	delete(p.active, id) // revoking a gone key succeeds, as the contract says
	return nil
}

func (p *provider) Active(_ context.Context, v engine.Version) (bool, error) {
	id, err := p.KeyID(v)
	if err != nil {
		return false, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active[id], nil
}

func (p *provider) isActive(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.active[id]
}

func (p *provider) revoked() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.revokes...)
}
