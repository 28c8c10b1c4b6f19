package twilio

import (
	"context"
	"fmt"
	"net/http"
	"strings"
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

// fixture is one rotated secret in moto, its admin secret, and a fake Twilio
// account that holds the secret's current key among a few others.
type fixture struct {
	sm        *secretsmanager.Client
	tw        *rotatortest.Twilio
	adminARN  string
	secretARN string
	current   engine.Version
	oldKey    rotatortest.TwilioKey
}

// fixtureOpts shape a fixture; the zero value is a rotated secret holding an
// operator's key, managed with the account's auth token.
type fixtureOpts struct {
	// adminValue replaces the admin secret's value; "main-key" uses a Main key.
	adminValue string
	// currentValue replaces the current value; "{account}" in it is replaced.
	currentValue string
}

func newFixture(t *testing.T, sm *secretsmanager.Client, name string, o fixtureOpts) *fixture {
	t.Helper()
	ctx := context.Background()
	tw := rotatortest.NewTwilio(t)
	old := tw.AddKey("operator key", false)
	for i := range 3 { // more keys than a page holds, so look-ups must page
		tw.AddKey(fmt.Sprintf("other service %d", i), false)
	}
	adminValue := tw.AdminValue()
	switch o.adminValue {
	case "":
	case "main-key":
		mk := tw.AddKey("main key", true)
		adminValue = `{"accountSid":"` + tw.Account + `","apiKeySid":"` + mk.SID + `","apiKeySecret":"` + mk.Secret + `"}`
	default:
		adminValue = o.adminValue
	}
	admin, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/admin"), SecretString: aws.String(adminValue),
	})
	require.NoError(t, err, "create admin secret")
	cur := tw.Value(old)
	if o.currentValue != "" {
		cur = strings.ReplaceAll(o.currentValue, "{account}", tw.Account)
	}
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/key"), SecretString: aws.String(cur),
	})
	require.NoError(t, err, "create rotated secret")
	return &fixture{
		sm: sm, tw: tw,
		adminARN: aws.ToString(admin.ARN), secretARN: aws.ToString(sec.ARN),
		current: engine.Version{ID: aws.ToString(sec.VersionId), Value: []byte(cur)},
		oldKey:  old,
	}
}

// strategy returns a Strategy on the fixture.
func (f *fixture) strategy(t *testing.T) *Strategy {
	t.Helper()
	s, err := New(contract.KeyAPI{AdminSecretARN: f.adminARN}, f.tw.URL,
		apikey.Clients{SecretsManager: f.sm, HTTP: &http.Client{Timeout: 5 * time.Second}, Now: time.Now})
	require.NoError(t, err)
	return s
}
