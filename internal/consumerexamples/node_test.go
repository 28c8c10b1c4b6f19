package consumerexamples

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/rotatortest"
	"github.com/acme/secrets-platform/internal/testenv"
)

// world is moto and PostgreSQL with the secrets the examples read.
type world struct {
	env     *rotatortest.Env
	db      *rotatortest.Database
	secrets map[string]string // env variable -> secret ARN
	// passwords are the application role's, for leak checks.
	passwords []string
	jsonValue string
}

func newWorld(t *testing.T) *world {
	t.Helper()
	e := rotatortest.New(t)
	w := &world{env: e, db: e.NewDatabase(t), secrets: map[string]string{}}
	pw := rotatortest.Password(t)
	w.passwords = append(w.passwords, pw)
	w.db.CreateRole(t, "app", pw)
	w.jsonValue = `{"apiKey":"rk_test_` + rotatortest.Password(t)[:16] + `"}`
	w.secrets["DB_SECRET_ID"] = e.CreateSecret(t, "/test/app/database", w.db.Value(t, "app", pw, false)).ARN
	w.secrets["JSON_SECRET_ID"] = e.CreateSecret(t, "/test/app/stripe", w.jsonValue).ARN
	w.secrets["PLACEHOLDER_SECRET_ID"] = e.CreatePlaceholderSecret(t, "/test/app/openai", nil).ARN
	elsewhere := strings.Replace(w.db.Value(t, "app", pw, false), `"host":"`+w.db.PG.Host+`"`, `"host":"db.elsewhere.example.com"`, 1)
	require.Contains(t, elsewhere, "db.elsewhere.example.com")
	w.secrets["WRONG_HOST_SECRET_ID"] = e.CreateSecret(t, "/test/app/database-elsewhere", elsewhere).ARN
	return w
}

// environ is what a consumer process gets: moto's endpoint and dummy
// credentials, the secret ids, the server it was deployed against and the CA
// that signs the server's certificate.
func (w *world) environ(t *testing.T) []string {
	t.Helper()
	port, err := testenv.FreePort()
	require.NoError(t, err)
	env := append(os.Environ(), w.env.Moto.Env()...)
	env = append(env, "EXPECTED_HOST="+w.db.PG.Host, "EXPECTED_PORT="+strconv.Itoa(w.db.PG.Port), "PG_CA_FILE="+w.db.PG.CAFile,
		"DEAD_ENDPOINT=http://127.0.0.1:"+strconv.Itoa(port))
	for k, v := range w.secrets {
		env = append(env, k+"="+v)
	}
	return env
}

// checkNoLeak fails if output holds a secret value.
func (w *world) checkNoLeak(t *testing.T, out string) {
	t.Helper()
	for _, p := range append(w.passwords, w.jsonValue) {
		assert.False(t, strings.Contains(out, p), "a secret value appears in the example's output")
	}
}

// nodeExample is examples/node with its dependencies installed.
func nodeExample(t *testing.T) string {
	t.Helper()
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "examples", "node")
	_, err = exec.LookPath("node")
	require.NoError(t, err, "node is needed for the Node.js example: install Node 20 (apt-get install nodejs)")
	_, err = os.Stat(filepath.Join(dir, "node_modules", "pg", "package.json"))
	require.NoError(t, err, "the Node.js example's dependencies are missing: run npm ci --prefix examples/node (from the repository root; scripts/test.sh does)")
	return dir
}

// runNode runs one scenario of examples/node/check.js and decodes its line.
func runNode(t *testing.T, w *world, dir, scenario string) map[string]any {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "check.js", scenario)
	cmd.Dir, cmd.Env = dir, w.environ(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	w.checkNoLeak(t, stdout.String()+stderr.String())
	require.NoError(t, err, "node check.js %s: %s%s", scenario, stdout.String(), stderr.String())
	var out map[string]any
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), "node check.js %s printed %q", scenario, stdout.String())
	return out
}

func digest(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// TestNodeExampleAgainstMotoAndPostgres runs examples/node (AWS SDK v3 and
// pg, as package-lock.json pins them) against moto and PostgreSQL with TLS:
// the bounded cache, the placeholder, a secret naming another host, a TLS
// login, and a login during the single-user rotation's window that falls
// back to AWSPENDING.
func TestNodeExampleAgainstMotoAndPostgres(t *testing.T) {
	dir := nodeExample(t)
	w := newWorld(t)

	cache := runNode(t, w, dir, "cache")
	assert.Equal(t, digest(w.jsonValue), cache["digest"], "the value read, got/want (by digest)")
	assert.Equal(t, 1.0, cache["callsInsideTTL"], "Secrets Manager calls for two reads inside the TTL, got/want")
	assert.Equal(t, 2.0, cache["callsAfterTTL"], "calls after the TTL, got/want")
	assert.Equal(t, true, cache["servedStale"], "the last value while Secrets Manager is unreachable, within maxStale")
	assert.Equal(t, true, cache["refusedAfterMaxStale"], "an error, without the value, once maxStale has passed")

	ph := runNode(t, w, dir, "placeholder")
	assert.Equal(t, true, ph["noValueYet"], "a placeholder is no value yet, got %v", ph)
	assert.Contains(t, ph["message"], "/test/app/openai")
	assert.Contains(t, ph["message"], "has no value yet")

	wh := runNode(t, w, dir, "wrongHost")
	assert.Equal(t, true, wh["wrongHost"], "a secret naming another host is refused, got %v", wh)
	assert.Contains(t, wh["message"], "db.elsewhere.example.com")
	assert.Contains(t, wh["message"], "refused before connecting")

	ok := runNode(t, w, dir, "connect")
	assert.Equal(t, map[string]any{"stage": "AWSCURRENT", "refused": 0.0, "user": "app", "ssl": true}, ok)

	// The single-user rotation's window: setSecret has changed the password
	// in the database, AWSCURRENT still holds the old one, AWSPENDING the new.
	ctx := t.Context()
	next := rotatortest.Password(t)
	w.passwords = append(w.passwords, next)
	pending, err := w.env.SM.PutSecretValue(ctx, &secretsmanager.PutSecretValueInput{SecretId: aws.String(w.secrets["DB_SECRET_ID"]),
		SecretString: aws.String(w.db.Value(t, "app", next, false)), VersionStages: []string{"AWSPENDING"}})
	require.NoError(t, err)
	w.db.SuperExec(t, "postgres", "SELECT format('ALTER ROLE %I WITH PASSWORD %L', $1::text, $2::text)", "app", next)
	fb := runNode(t, w, dir, "connect")
	assert.Equal(t, map[string]any{"stage": "AWSPENDING", "refused": 1.0, "user": "app", "ssl": true}, fb, "refused with 28P01, then AWSPENDING")

	// finishSecret: AWSCURRENT moves to the new version; AWSCURRENT works again.
	current := w.env.Current(t, w.secrets["DB_SECRET_ID"])
	_, err = w.env.SM.UpdateSecretVersionStage(ctx, &secretsmanager.UpdateSecretVersionStageInput{SecretId: aws.String(w.secrets["DB_SECRET_ID"]),
		VersionStage: aws.String("AWSCURRENT"), MoveToVersionId: pending.VersionId, RemoveFromVersionId: aws.String(current.ID)})
	require.NoError(t, err)
	after := runNode(t, w, dir, "connect")
	assert.Equal(t, map[string]any{"stage": "AWSCURRENT", "refused": 0.0, "user": "app", "ssl": true}, after)
}
