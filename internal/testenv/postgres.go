package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Postgres is a running throwaway PostgreSQL 15 cluster that accepts TCP
// connections only over TLS with scram-sha-256 passwords, like RDS with
// rds.force_ssl=1.
type Postgres struct {
	// Host is the address the server listens on, 127.0.0.1.
	Host string
	// Port is the TCP port on Host.
	Port int
	// SuperUser and SuperPassword are the cluster's superuser credentials;
	// the password is random per cluster.
	SuperUser, SuperPassword string
	// Database is the database that exists from the start, postgres.
	Database string
	// CAFile is the path of the PEM CA that signed the server certificate,
	// readable by the test process, for sslrootcert.
	CAFile string
	// CAPEM is the content of CAFile, for Go TLS configs.
	CAPEM []byte
}

// pgBinDir is where Debian installs the PostgreSQL 15 server binaries.
const pgBinDir = "/usr/lib/postgresql/15/bin"

// pgHint says how to get PostgreSQL 15 when its binaries are missing.
const pgHint = "PostgreSQL 15 server binaries (initdb, pg_ctl) are preinstalled in " + pgBinDir +
	" on this kind of machine; on Debian/Ubuntu install them with: apt-get install postgresql-15"

// pgStartAttempts is how often StartPostgres tries a new port when the server
// does not start, which is what a lost FreePort race looks like.
const pgStartAttempts = 3

// pgHBA refuses every TCP connection that is not TLS, so that a test can prove
// its client insists on TLS. The unix socket stays usable for pg_ctl.
const pgHBA = `# Written by testenv: TCP requires TLS and scram-sha-256.
local     all all              scram-sha-256
hostssl   all all 127.0.0.1/32 scram-sha-256
hostssl   all all ::1/128      scram-sha-256
hostnossl all all 0.0.0.0/0    reject
hostnossl all all ::/0         reject
`

// pgCluster holds what starting and stopping a cluster need.
type pgCluster struct {
	bin     string
	dir     string // temp dir that holds everything; removed on stop
	dataDir string
	owner   *user.User // postgres when the test runs as root, else nil
}

// StartPostgres creates a cluster in a new temp dir with a fresh CA and server
// certificate, starts it on a free port of 127.0.0.1 and waits until it
// accepts connections. The returned stop function stops the server
// (immediate mode: the data is thrown away) and removes the dir.
func StartPostgres() (*Postgres, func(), error) {
	c, err := newPGCluster()
	if err != nil {
		return nil, nil, fmt.Errorf("start postgres: %w", err)
	}
	p, err := c.init()
	if err != nil {
		_ = os.RemoveAll(c.dir)
		return nil, nil, fmt.Errorf("start postgres: %w", err)
	}
	for attempt := 1; ; attempt++ {
		port, err := FreePort()
		if err == nil {
			err = c.start(port)
		}
		if err == nil {
			p.Port = port
			break
		}
		if attempt == pgStartAttempts {
			_ = os.RemoveAll(c.dir)
			return nil, nil, fmt.Errorf("start postgres: %w", err)
		}
	}
	return p, c.stop, nil
}

// NewPostgres starts a cluster for the test and removes it when the test ends.
func NewPostgres(t testing.TB) *Postgres {
	t.Helper()
	p, stop, err := StartPostgres()
	if err != nil {
		t.Fatalf("%v", err)
	}
	t.Cleanup(stop)
	return p
}

// DSN returns a URL for user on database that verifies the server certificate
// against this cluster's CA and host name. The user and password are
// URL-escaped, so generated passwords with any characters work.
func (p *Postgres) DSN(user, password, database string) string {
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(user, password),
		Host:     p.Host + ":" + strconv.Itoa(p.Port),
		Path:     "/" + database,
		RawQuery: url.Values{"sslmode": {"verify-full"}, "sslrootcert": {p.CAFile}}.Encode(),
	}
	return u.String()
}

// AdminDSN returns the superuser's DSN for the initial database.
func (p *Postgres) AdminDSN() string {
	return p.DSN(p.SuperUser, p.SuperPassword, p.Database)
}

// newPGCluster finds the binaries and makes the temp dir. When the test runs
// as root the dir goes to the postgres user, because initdb refuses root.
func newPGCluster() (*pgCluster, error) {
	bin, err := findPGBinDir()
	if err != nil {
		return nil, err
	}
	c := &pgCluster{bin: bin}
	base := os.TempDir()
	if os.Geteuid() == 0 {
		owner, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("look up user postgres (initdb refuses to run as root): %w", err)
		}
		c.owner = owner
		// The postgres user must be able to reach the dir; root's TMPDIR may
		// sit under a home directory it cannot enter.
		base = "/tmp"
	}
	c.dir, err = os.MkdirTemp(base, "testenv-pg-")
	if err != nil {
		return nil, fmt.Errorf("make temp dir: %w", err)
	}
	c.dataDir = filepath.Join(c.dir, "data")
	if err := c.chown(c.dir); err != nil {
		_ = os.RemoveAll(c.dir)
		return nil, err
	}
	return c, nil
}

// findPGBinDir prefers the PostgreSQL 15 directory and falls back to
// pg_config, which may name another major version's binaries.
func findPGBinDir() (string, error) {
	if _, err := os.Stat(filepath.Join(pgBinDir, "initdb")); err == nil {
		return pgBinDir, nil
	}
	out, err := exec.Command("pg_config", "--bindir").Output()
	if err != nil {
		return "", fmt.Errorf("find initdb: not in %s and pg_config failed (%v); %s", pgBinDir, err, pgHint)
	}
	dir := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		return "", fmt.Errorf("find initdb: not in %s nor in %s; %s", pgBinDir, dir, pgHint)
	}
	return dir, nil
}

// init runs initdb with a random superuser password and writes the TLS
// files, the settings and pg_hba.conf.
func (c *pgCluster) init() (*Postgres, error) {
	password, err := randomHex(24)
	if err != nil {
		return nil, err
	}
	pwfile := filepath.Join(c.dir, "pwfile")
	if err := c.writeFile(pwfile, []byte(password+"\n"), 0o600); err != nil {
		return nil, err
	}
	out, err := c.run("initdb", "-D", c.dataDir, "-U", "postgres", "--auth=scram-sha-256",
		"--pwfile="+pwfile, "--no-sync", "--no-instructions", "-E", "UTF8", "--locale=C")
	// The password file has done its job; it must not outlive initdb.
	if rmErr := os.Remove(pwfile); rmErr != nil && err == nil {
		err = fmt.Errorf("remove password file: %w", rmErr)
	}
	if err != nil {
		return nil, fmt.Errorf("initdb: %w: %s", err, tail(out, 2000))
	}

	files, err := newTLSFiles()
	if err != nil {
		return nil, err
	}
	caFile := filepath.Join(c.dir, "ca.crt")
	if err := c.writeFile(caFile, files.CAPEM, 0o644); err != nil {
		return nil, err
	}
	if err := c.writeFile(filepath.Join(c.dataDir, "server.crt"), files.CertPEM, 0o644); err != nil {
		return nil, err
	}
	// PostgreSQL refuses a key that others can read.
	if err := c.writeFile(filepath.Join(c.dataDir, "server.key"), files.KeyPEM, 0o600); err != nil {
		return nil, err
	}
	sockDir := filepath.Join(c.dir, "sock")
	if err := os.Mkdir(sockDir, 0o700); err != nil {
		return nil, fmt.Errorf("make socket dir: %w", err)
	}
	if err := c.chown(sockDir); err != nil {
		return nil, err
	}
	settings := strings.Join([]string{
		"",
		"# Written by testenv: a throwaway cluster for tests.",
		"listen_addresses = '127.0.0.1'",
		"unix_socket_directories = '" + sockDir + "'",
		"ssl = on",
		"ssl_cert_file = 'server.crt'",
		"ssl_key_file = 'server.key'",
		"password_encryption = 'scram-sha-256'",
		// Durability is worthless for a cluster that is deleted after the test.
		"fsync = off",
		"synchronous_commit = off",
		"full_page_writes = off",
		"",
	}, "\n")
	if err := appendFile(filepath.Join(c.dataDir, "postgresql.conf"), settings); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(c.dataDir, "pg_hba.conf"), []byte(pgHBA), 0o600); err != nil {
		return nil, fmt.Errorf("write pg_hba.conf: %w", err)
	}
	return &Postgres{
		Host:          "127.0.0.1",
		SuperUser:     "postgres",
		SuperPassword: password,
		Database:      "postgres",
		CAFile:        caFile,
		CAPEM:         files.CAPEM,
	}, nil
}

// start starts the server on port and waits until it accepts connections.
func (c *pgCluster) start(port int) error {
	out, err := c.run("pg_ctl", "start", "-w", "-t", "30", "-D", c.dataDir,
		"-l", filepath.Join(c.dir, "server.log"), "-o", "-p "+strconv.Itoa(port))
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "server.log"))
		return fmt.Errorf("pg_ctl start on port %d: %w: %s\nserver log:\n%s", port, err, tail(out, 1000), tail(string(log), 2000))
	}
	return nil
}

// stop stops the server without a checkpoint and removes everything.
func (c *pgCluster) stop() {
	_, _ = c.run("pg_ctl", "stop", "-w", "-t", "30", "-m", "immediate", "-D", c.dataDir)
	_ = os.RemoveAll(c.dir)
}

// run runs a PostgreSQL binary, as the postgres user when the test is root.
func (c *pgCluster) run(name string, args ...string) (string, error) {
	path := filepath.Join(c.bin, name)
	var cmd *exec.Cmd
	if c.owner != nil {
		cmd = exec.Command("runuser", append([]string{"-u", c.owner.Username, "--", path}, args...)...)
	} else {
		cmd = exec.Command(path, args...)
	}
	// The test's working directory may be unreadable to the postgres user.
	cmd.Dir = c.dir
	// pg_ctl leaves the server running; if it ever inherited our pipes, this
	// stops Wait from blocking until the server exits.
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// writeFile writes a file the server reads and gives it to the postgres user
// when the test runs as root.
func (c *pgCluster) writeFile(path string, data []byte, perm os.FileMode) error {
	if err := os.WriteFile(path, data, perm); err != nil {
		return fmt.Errorf("write %s: %w", filepath.Base(path), err)
	}
	return c.chown(path)
}

// chown gives path to the postgres user when the test runs as root.
func (c *pgCluster) chown(path string) error {
	if c.owner == nil {
		return nil
	}
	uid, err := strconv.Atoi(c.owner.Uid)
	if err != nil {
		return fmt.Errorf("parse uid of %s: %w", c.owner.Username, err)
	}
	gid, err := strconv.Atoi(c.owner.Gid)
	if err != nil {
		return fmt.Errorf("parse gid of %s: %w", c.owner.Username, err)
	}
	if err := os.Chown(path, uid, gid); err != nil {
		return fmt.Errorf("chown %s to %s: %w", path, c.owner.Username, err)
	}
	return nil
}

// appendFile appends text to an existing file, keeping its owner and mode.
func appendFile(path, text string) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", filepath.Base(path), err)
	}
	if _, err := f.WriteString(text); err != nil {
		f.Close()
		return fmt.Errorf("append to %s: %w", filepath.Base(path), err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", filepath.Base(path), err)
	}
	return nil
}

// randomHex returns n random bytes hex-encoded: a password that needs no
// quoting anywhere.
func randomHex(n int) (string, error) {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("generate random bytes: %w", err)
	}
	return hex.EncodeToString(b), nil
}
