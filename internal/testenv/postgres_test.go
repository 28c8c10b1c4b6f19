package testenv

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// psql runs one query with the psql client against dsn and returns its
// trimmed output. psql's error output names the server's complaint, never the
// password, so it is safe to show in failures.
func psql(t *testing.T, dsn, query string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("psql")
	if err != nil {
		t.Fatalf("find psql: %v; install the client with: apt-get install postgresql-client-15", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, path, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", query, dsn)
	// Keep the caller's PG* settings from changing what the DSN says.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "PGCONNECT_TIMEOUT=10"}
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// withQuery returns dsn with the query parameters in set replaced.
func withQuery(t *testing.T, dsn string, set map[string]string) string {
	t.Helper()
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	q := u.Query()
	for k, v := range set {
		q.Set(k, v)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

func TestPostgresRequiresVerifiedTLS(t *testing.T) {
	pg := NewPostgres(t)
	admin := pg.AdminDSN()

	otherCA, err := newTLSFiles()
	if err != nil {
		t.Fatalf("make another CA: %v", err)
	}
	otherCAFile := filepath.Join(t.TempDir(), "other-ca.crt")
	if err := os.WriteFile(otherCAFile, otherCA.CAPEM, 0o644); err != nil {
		t.Fatalf("write other CA: %v", err)
	}

	tests := []struct {
		name     string
		dsn      string
		wantOK   bool
		wantText string // in the output: "t" on success, part of the refusal otherwise
	}{
		{name: "verify-full by IP", dsn: admin, wantOK: true, wantText: "t"},
		{
			name:     "verify-full by localhost",
			dsn:      strings.Replace(admin, "@127.0.0.1:", "@localhost:", 1),
			wantOK:   true,
			wantText: "t",
		},
		{
			name:     "no TLS is refused",
			dsn:      withQuery(t, admin, map[string]string{"sslmode": "disable"}),
			wantText: "no encryption",
		},
		{
			name:     "another CA is refused",
			dsn:      withQuery(t, admin, map[string]string{"sslrootcert": otherCAFile}),
			wantText: "certificate verify failed",
		},
		{
			name:     "wrong password is refused",
			dsn:      pg.DSN(pg.SuperUser, "wrong-password", pg.Database),
			wantText: "password authentication failed",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := psql(t, tt.dsn, "select ssl from pg_stat_ssl where pid = pg_backend_pid()")
			if gotOK := err == nil; gotOK != tt.wantOK {
				t.Fatalf("psql succeeded: got %v, want %v (err %v, output %q)", gotOK, tt.wantOK, err, out)
			}
			if tt.wantOK && out != tt.wantText {
				t.Errorf("ssl for this backend: got %q, want %q", out, tt.wantText)
			}
			if !tt.wantOK && !strings.Contains(out, tt.wantText) {
				t.Errorf("refusal: got %q, want it to contain %q", out, tt.wantText)
			}
		})
	}
}

func TestPostgresDSNEscapesCredentials(t *testing.T) {
	pg := &Postgres{Host: "127.0.0.1", Port: 5999, CAFile: "/tmp/x/ca.crt"}
	got := pg.DSN("app user", "p@ss:w/rd?#%", "app")
	u, err := url.Parse(got)
	if err != nil {
		t.Fatalf("parse DSN: %v", err)
	}
	pass, _ := u.User.Password()
	checks := []struct{ name, got, want string }{
		{"user", u.User.Username(), "app user"},
		{"password", pass, "p@ss:w/rd?#%"},
		{"host", u.Host, "127.0.0.1:5999"},
		{"database", u.Path, "/app"},
		{"sslmode", u.Query().Get("sslmode"), "verify-full"},
		{"sslrootcert", u.Query().Get("sslrootcert"), "/tmp/x/ca.crt"},
	}
	for _, c := range checks {
		if c.got != c.want {
			// The password here is a test constant, so showing it is harmless.
			t.Errorf("%s: got %q, want %q", c.name, c.got, c.want)
		}
	}
}

func TestPostgresStopRemovesDir(t *testing.T) {
	pg, stop, err := StartPostgres()
	if err != nil {
		t.Fatalf("StartPostgres: %v", err)
	}
	dir := filepath.Dir(pg.CAFile)
	stop()
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("cluster dir after stop: got stat error %v, want not-exist", err)
	}
	if _, err := psql(t, pg.AdminDSN(), "select 1"); err == nil {
		t.Errorf("psql after stop: got success, want a connection error")
	}
}
