package consumerexamples

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/acme/secrets-platform/internal/testenv"
)

// TestPythonExampleAgainstMoto runs examples/python's tests (boto3, which
// comes with moto, and the standard library) against moto: the bounded
// cache, the placeholder, a secret naming another host, AWSPENDING during a
// rotation and nothing outside one. PyPI is unreachable here, so no
// PostgreSQL driver is installed and connect_database's logins stay
// untested in Python; the README says so.
func TestPythonExampleAgainstMoto(t *testing.T) {
	root, err := testenv.RepoRoot()
	require.NoError(t, err)
	dir := filepath.Join(root, "examples", "python")
	python, err := exec.LookPath("python3")
	require.NoError(t, err, "python3 is needed for the Python example (it is the interpreter moto runs under)")
	require.NoError(t, exec.Command(python, "-c", "import boto3").Run(), "boto3 is missing: it is preinstalled with moto on this kind of machine")
	m := testenv.NewMoto(t)

	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-m", "unittest", "-v", "test_secrets_reader")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), m.Env()...), "PYTHONDONTWRITEBYTECODE=1")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	require.NoError(t, err, "python tests failed:\n%s", out.String())
	ran := regexp.MustCompile(`Ran (\d+) tests?`).FindStringSubmatch(out.String())
	require.NotNil(t, ran, "unittest printed no summary:\n%s", out.String())
	n, _ := strconv.Atoi(ran[1])
	assert.Equal(t, 5, n, "python tests run, got/want")
	assert.Regexp(t, `(?m)^OK$`, out.String())
}
