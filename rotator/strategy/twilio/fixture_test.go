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
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/rotator/engine"
)

// fixture is one rotated secret in moto, its admin secret, and a fake Twilio
// account that holds the secret's current key among a few others.
type fixture struct {
	sm        *secretsmanager.Client
	tw        *fakeTwilio
	baseURL   string
	adminARN  string
	secretARN string
	current   engine.Version
	oldKey    fakeKey
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
	tw, srv := newFakeTwilio(t)
	old := tw.addKey("operator key", false)
	for i := range 3 { // more keys than a page holds, so look-ups must page
		tw.addKey(fmt.Sprintf("other service %d", i), false)
	}
	adminValue := `{"accountSid":"` + tw.account + `","authToken":"` + tw.authToken + `"}`
	switch o.adminValue {
	case "":
	case "main-key":
		mk := tw.addKey("main key", true)
		adminValue = `{"accountSid":"` + tw.account + `","apiKeySid":"` + mk.sid + `","apiKeySecret":"` + mk.secret + `"}`
	default:
		adminValue = o.adminValue
	}
	admin, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/admin"), SecretString: aws.String(adminValue),
	})
	require.NoError(t, err, "create admin secret")
	cur := `{"accountSid":"` + tw.account + `","apiKeySid":"` + old.sid + `","apiKeySecret":"` + old.secret + `","messagingServiceSid":"MG0"}`
	if o.currentValue != "" {
		cur = strings.ReplaceAll(o.currentValue, "{account}", tw.account)
	}
	sec, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{
		Name: aws.String(name + "/key"), SecretString: aws.String(cur),
	})
	require.NoError(t, err, "create rotated secret")
	return &fixture{
		sm: sm, tw: tw, baseURL: srv.URL,
		adminARN: aws.ToString(admin.ARN), secretARN: aws.ToString(sec.ARN),
		current: engine.Version{ID: aws.ToString(sec.VersionId), Value: []byte(cur)},
		oldKey:  old,
	}
}

// strategy returns a Strategy on the fixture.
func (f *fixture) strategy(t *testing.T, now func() time.Time) *Strategy {
	t.Helper()
	s, err := New(Config{
		BaseURL: f.baseURL, AdminSecretARN: f.adminARN, SecretsManager: f.sm,
		HTTP: &http.Client{Timeout: 5 * time.Second}, Now: now,
	})
	require.NoError(t, err)
	return s
}

// assertNoSecret fails when err's text holds any secret the fake issued.
func (f *fixture) assertNoSecret(t *testing.T, err error) {
	t.Helper()
	if err == nil {
		return
	}
	for _, s := range f.tw.secrets() {
		assert.False(t, strings.Contains(err.Error(), s), "error holds a secret, want none (error not shown: it would print the secret)")
	}
}

// token returns a ClientRequestToken of the length Secrets Manager accepts.
func token(name string) string {
	tok := fmt.Sprintf("%s-%s", name, strings.Repeat("0", 40))
	return tok[:min(len(tok), 64)]
}
