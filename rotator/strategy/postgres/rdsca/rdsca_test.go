package rdsca

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// certificates parses every certificate of the embedded bundle.
func certificates(t *testing.T) []*x509.Certificate {
	t.Helper()
	var out []*x509.Certificate
	rest := bundle
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		require.Equal(t, "CERTIFICATE", b.Type, "a PEM block that is no certificate")
		c, err := x509.ParseCertificate(b.Bytes)
		require.NoError(t, err, "certificate #%d does not parse", len(out)+1)
		out = append(out, c)
	}
	require.Empty(t, bytes.TrimSpace(rest), "bytes after the last certificate")
	return out
}

// fingerprints reads fingerprints.txt: one SHA-256 per certificate, in the
// bundle's order.
func fingerprints(t *testing.T) []string {
	t.Helper()
	f, err := os.Open("fingerprints.txt")
	require.NoError(t, err)
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		out = append(out, strings.Fields(line)[0])
	}
	require.NoError(t, sc.Err())
	return out
}

func TestEveryCertificateIsAnUnexpiredRDSAuthorityOnTheList(t *testing.T) {
	certs := certificates(t)
	want := fingerprints(t)
	require.Len(t, certs, len(want), "the bundle holds %d certificates, fingerprints.txt lists %d", len(certs), len(want))
	require.GreaterOrEqual(t, len(certs), 20, "the bundle holds %d certificates: AWS's has one or more per region", len(certs))
	now := time.Now()
	for i, c := range certs {
		sum := sha256.Sum256(c.Raw)
		assert.Equal(t, want[i], hex.EncodeToString(sum[:]), "certificate #%d (%s): fingerprint", i+1, c.Subject.CommonName)
		assert.True(t, c.BasicConstraintsValid && c.IsCA, "certificate #%d (%s) is not a CA", i+1, c.Subject.CommonName)
		assert.True(t, strings.HasPrefix(c.Subject.CommonName, "Amazon RDS "), "certificate #%d: CN %q does not name Amazon RDS", i+1, c.Subject.CommonName)
		assert.Equal(t, []string{"Amazon RDS"}, c.Subject.OrganizationalUnit, "certificate #%d (%s): OU", i+1, c.Subject.CommonName)
		assert.True(t, now.Before(c.NotAfter), "certificate #%d (%s) expired %s: run scripts/rds-ca-bundle.sh", i+1, c.Subject.CommonName, c.NotAfter)
		assert.True(t, now.After(c.NotBefore), "certificate #%d (%s) is not valid before %s", i+1, c.Subject.CommonName, c.NotBefore)
	}
	pool, err := Pool()
	require.NoError(t, err)
	assert.NotNil(t, pool)
}

// caRootSuffix maps an RDS caCertIdentifier to the end of the common name of
// its regional root, as AWS names them ("Amazon RDS eu-west-1 Root CA RSA2048
// G1" for rds-ca-rsa2048-g1 in eu-west-1).
var caRootSuffix = map[string]string{
	"rds-ca-rsa2048-g1": "Root CA RSA2048 G1",
	"rds-ca-rsa4096-g1": "Root CA RSA4096 G1",
	"rds-ca-ecc384-g1":  "Root CA ECC384 G1",
}

// TestTheBundleHoldsThePinnedRoot reads the identifier the program pins
// (database/instance.go) and the regions of the committed stacks, and
// checks the bundle holds that root in each: a rotator that trusted the
// bundle but not the instance's CA could not rotate at all.
func TestTheBundleHoldsThePinnedRoot(t *testing.T) {
	root := filepath.Join("..", "..", "..", "..")
	src, err := os.ReadFile(filepath.Join(root, "database", "instance.go"))
	require.NoError(t, err)
	m := regexp.MustCompile(`CaCertIdentifier:\s*pulumi\.String\("([^"]+)"\)`).FindSubmatch(src)
	require.NotNil(t, m, "database/instance.go no longer pins CaCertIdentifier with a literal; update this test")
	id := string(m[1])
	suffix, ok := caRootSuffix[id]
	require.True(t, ok, "the program pins %q, which this test does not know", id)

	stacks, err := filepath.Glob(filepath.Join(root, "Pulumi.*.yaml"))
	require.NoError(t, err)
	regions := map[string]bool{}
	for _, f := range stacks {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		for _, m := range regexp.MustCompile(`(?m)^\s*aws:region:\s*(\S+)`).FindAllSubmatch(b, -1) {
			regions[string(m[1])] = true
		}
	}
	require.True(t, regions["eu-west-1"], "regions %v, want the committed stacks' eu-west-1 among them", regions)
	names := map[string]bool{}
	for _, c := range certificates(t) {
		names[c.Subject.CommonName] = true
	}
	for r := range regions {
		want := "Amazon RDS " + r + " " + suffix
		assert.True(t, names[want], "the bundle lacks %q, the root of %s in %s", want, id, r)
	}
}
