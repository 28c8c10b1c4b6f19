package httpkey

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/rotator/contract"
	"github.com/acme/secrets-platform/rotator/engine"
	"github.com/acme/secrets-platform/rotator/strategy/apikey"
)

// fixture is one rotated secret in moto, its admin secret, and a provider that
// holds the secret's current key.
type fixture struct {
	sm        *secretsmanager.Client
	p         *rotatortest.KeyAPI
	adminARN  string
	secretARN string
	current   engine.Version
	oldKey    rotatortest.APIKey
}

// newFixture creates the secrets named after name in moto and starts a provider.
// adminValue overrides the admin secret's value ("" means a valid one).
func newFixture(t *testing.T, sm *secretsmanager.Client, name, adminValue string) *fixture {
	t.Helper()
	ctx := context.Background()
	p := rotatortest.NewKeyAPI(t)
	old := p.AddKey("key-operator", true)
	if adminValue == "" {
		adminValue = p.AdminValue()
	}
	admin, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/admin"), SecretString: aws.String(adminValue),
	})
	require.NoError(t, err, "create admin secret")
	cur := `{"keyId":"` + old.ID + `","apiKey":"` + old.Secret + `","endpoint":"https://api.example.test"}`
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/key"), SecretString: aws.String(cur),
	})
	require.NoError(t, err, "create rotated secret")
	return &fixture{
		sm: sm, p: p,
		adminARN: aws.ToString(admin.ARN), secretARN: aws.ToString(sec.ARN),
		current: engine.Version{ID: aws.ToString(sec.VersionId), Value: []byte(cur)},
		oldKey:  old,
	}
}

// strategy returns a Strategy on the fixture.
func (f *fixture) strategy(t *testing.T) *Strategy {
	t.Helper()
	s, err := New(contract.KeyAPI{BaseURL: f.p.URL, AdminSecretARN: f.adminARN},
		apikey.Clients{SecretsManager: f.sm, HTTP: &http.Client{Timeout: 5 * time.Second}, Now: time.Now})
	require.NoError(t, err)
	return s
}
