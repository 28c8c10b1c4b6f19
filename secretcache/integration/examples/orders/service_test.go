package orders_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
	"github.com/acme/secrets-platform/secretcache/integration/internal/awstest"
	"github.com/acme/secrets-platform/secretcache/integration/internal/gocmd"
)

// TestServiceAgainstMotoAndPostgres runs the example's handlers against the
// real services. The example is a main package in another module, so the
// test builds and starts the command the way its users do and talks to it
// over HTTP: its environment in, its endpoints out.
func TestServiceAgainstMotoAndPostgres(t *testing.T) {
	ctx := t.Context()
	pg := testenv.NewPostgres(t)
	m := testenv.NewMoto(t)
	sm := awstest.Client(t, m)

	admin, err := pgx.Connect(ctx, pg.AdminDSN())
	require.NoError(t, err)
	defer admin.Close(ctx)
	var stmt string
	require.NoError(t, admin.QueryRow(ctx, "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", "orders_app", "pw-1").Scan(&stmt))
	_, err = admin.Exec(ctx, stmt)
	require.NoError(t, err)

	dbSecret, err := json.Marshal(map[string]any{
		"engine": "postgres", "host": pg.Host, "port": pg.Port, "username": "orders_app",
		"password": "pw-1", "dbname": pg.Database, "ssl": true,
	})
	require.NoError(t, err)
	for id, v := range map[string]string{"orders/db": string(dbSecret), "orders/partner": "partner-key"} {
		_, err := sm.CreateSecret(ctx, &secretsmanager.CreateSecretInput{Name: aws.String(id), SecretString: aws.String(v)})
		require.NoError(t, err)
	}

	// SECRET_TTL is left unset: the service runs with secretcache.DefaultTTL.
	url := startOrders(t, append(m.Env(),
		"ORDERS_DB_SECRET_ID=orders/db", "ORDERS_DB_HOST="+pg.Host, "ORDERS_DB_PORT="+strconv.Itoa(pg.Port),
		"ORDERS_PARTNER_KEY_ID=orders/partner", "RDS_CA_FILE="+pg.CAFile))

	res, err := http.Get(url + "/healthz")
	require.NoError(t, err)
	res.Body.Close()
	assert.Equal(t, http.StatusNoContent, res.StatusCode, "healthz")

	res, err = http.Get(url + "/v1/status")
	require.NoError(t, err)
	defer res.Body.Close()
	require.Equal(t, http.StatusOK, res.StatusCode, "status")
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	var body struct {
		DBTime        string `json:"db_time"`
		PartnerKeyRef string `json:"partner_key_ref"`
	}
	require.NoError(t, json.Unmarshal(raw, &body))
	assert.NotEmpty(t, body.DBTime, "db_time")
	sum := sha256.Sum256([]byte("partner-key"))
	assert.Equal(t, hex.EncodeToString(sum[:4]), body.PartnerKeyRef, "key reference")
	assert.False(t, bytes.Contains(raw, []byte("partner-key")), "the response carries the key")
}

// startOrders builds secretcache/examples/orders, starts it on a free port
// with env and no other AWS setting (HOME is empty, so no ~/.aws applies),
// waits until it listens and returns its base URL. The service is stopped
// with SIGTERM, its own shutdown path, when the test ends.
func startOrders(t *testing.T, env []string) string {
	t.Helper()
	dir := gocmd.ModuleDir(t, "github.com/acme/secrets-platform/secretcache")
	bin := filepath.Join(t.TempDir(), "orders")
	out, err := gocmd.Run(t.Context(), dir, nil, "build", "-o", bin, "./examples/orders")
	require.NoError(t, err, "build the example\n%s", out)

	port, err := testenv.FreePort()
	require.NoError(t, err)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	// The service logs errors only, and its errors never hold a secret value.
	logPath := filepath.Join(t.TempDir(), "orders.log")
	logFile, err := os.Create(logPath)
	require.NoError(t, err)
	defer logFile.Close() // the child keeps its own descriptor

	cmd := exec.Command(bin)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LISTEN_ADDR=" + addr}, env...)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	require.NoError(t, cmd.Start())
	exited := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM) // it may have exited already
		select {
		case <-exited:
		case <-time.After(15 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})

	// The service prefetches both secrets and opens its pool before it
	// listens; the limit only stops a test whose service hangs.
	deadline := time.Now().Add(time.Minute)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return "http://" + addr
		}
		select {
		case <-exited:
			logs, _ := os.ReadFile(logPath)
			t.Fatalf("orders exited before listening on %s: %v\n%s", addr, waitErr, logs)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			logs, _ := os.ReadFile(logPath)
			t.Fatalf("orders did not listen on %s within a minute\n%s", addr, logs)
		}
	}
}
