package main

import (
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"time"

	"github.com/spiffe/go-spiffe/v2/bundle/x509bundle"
	"github.com/spiffe/go-spiffe/v2/spiffeid"
	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
)

var oidSubjectAltName = asn1.ObjectIdentifier{2, 5, 29, 17}

// parseCerts decodes every CERTIFICATE block of a PEM bundle, in order.
func parseCerts(pemBytes []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for rest := pemBytes; ; {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("unexpected PEM block %q in a certificate chain", b.Type)
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no certificate in the chain")
	}
	return out, nil
}

// rootPool reads the root file the way the agent mounts it (root-cert.pem).
func rootPool(path string) (*x509.CertPool, []*x509.Certificate, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	roots, err := parseCerts(b)
	if err != nil {
		return nil, nil, err
	}
	pool := x509.NewCertPool()
	for _, r := range roots {
		pool.AddCert(r)
	}
	return pool, roots, nil
}

// verifyForBothUses checks chain[0] with Go's crypto/x509 against the mounted roots, once for
// serverAuth and once for clientAuth: a sidecar's certificate serves both sides of mTLS.
func verifyForBothUses(chain []*x509.Certificate, roots *x509.CertPool) error {
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	for _, u := range []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth} {
		if _, err := chain[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
			KeyUsages: []x509.ExtKeyUsage{u}, CurrentTime: time.Now()}); err != nil {
			return fmt.Errorf("crypto/x509 verify for %s: %v", usageName(u), err)
		}
	}
	return nil
}

func usageName(u x509.ExtKeyUsage) string {
	if u == x509.ExtKeyUsageServerAuth {
		return "serverAuth"
	}
	return "clientAuth"
}

// checkLeaf asserts the shape Istio relies on: one URI SAN equal to the workload identity in a
// critical SAN extension, an empty subject, not a CA.
func checkLeaf(leaf *x509.Certificate, wantID string) error {
	if len(leaf.URIs) != 1 || leaf.URIs[0].String() != wantID {
		return fmt.Errorf("leaf URI SANs %v, want exactly [%s]", leaf.URIs, wantID)
	}
	if len(leaf.DNSNames)+len(leaf.IPAddresses)+len(leaf.EmailAddresses) != 0 {
		return fmt.Errorf("leaf has SANs besides the identity")
	}
	critical := false
	for _, e := range leaf.Extensions {
		if e.Id.Equal(oidSubjectAltName) {
			critical = e.Critical
		}
	}
	if !critical {
		return fmt.Errorf("the SAN extension is not critical although the subject is empty")
	}
	if len(leaf.Subject.Names) != 0 {
		return fmt.Errorf("leaf subject %q, want empty", leaf.Subject)
	}
	if leaf.IsCA {
		return fmt.Errorf("leaf is a CA")
	}
	return nil
}

// verifySVID runs the SPIFFE reference library's X509-SVID verification against the trust
// bundle built from the mounted root file, and returns the SPIFFE ID it established.
func verifySVID(chain []*x509.Certificate, trustDomain, rootFile string) (string, error) {
	td, err := spiffeid.TrustDomainFromString(trustDomain)
	if err != nil {
		return "", err
	}
	bundle, err := x509bundle.Load(td, rootFile)
	if err != nil {
		return "", err
	}
	id, _, err := x509svid.Verify(chain, bundle)
	if err != nil {
		return "", err
	}
	return id.String(), nil
}
