package main

import (
	"crypto/x509"
	"fmt"
	"os"
	"path/filepath"
)

// x509SVID: every leaf so far is a valid X509-SVID for its identity by go-spiffe.
func (s *suite) x509SVID() (string, error) {
	if s.sidecar == nil || s.ecdsa == nil || s.ztunnel == nil {
		return "", fmt.Errorf("needs the certificates of the three scenarios before it")
	}
	sidecar, err := parseCerts(s.sidecar.CertificateChain)
	if err != nil {
		return "", err
	}
	ecdsaChain, err := parseCerts(s.ecdsa.CertificateChain)
	if err != nil {
		return "", err
	}
	for name, chain := range map[string][]*x509.Certificate{
		"sidecar": sidecar, "agent-ecdsa": ecdsaChain, "ztunnel": s.ztunnel} {
		id, err := verifySVID(chain, s.c.trustDomain, s.c.rootCert)
		if err != nil {
			return "", fmt.Errorf("%s: x509svid.Verify: %v", name, err)
		}
		if id != s.identity("web") {
			return "", fmt.Errorf("%s: x509svid.Verify says %s, want %s", name, id, s.identity("web"))
		}
	}
	// The agent's PKCS#8 key and chain also parse as an SVID with its key (go-spiffe checks
	// the key matches the leaf and the leaf's SVID constraints).
	if _, err := parseSVID(s.ecdsa.CertificateChain, s.ecdsa.PrivateKey); err != nil {
		return "", fmt.Errorf("agent-ecdsa: x509svid.Parse: %v", err)
	}
	return "x509svid.Verify accepts the sidecar, agent-ecdsa and ztunnel leaves against the " +
		"root-cert.pem bundle; x509svid.Parse accepts the PKCS#8 key and chain", nil
}

// renewal: istio-agent with PROV_CERT holding the previous certificate and key, and no token
// (CredFetcher nil, so no authorization header at all).
func (s *suite) renewal() (string, error) {
	if s.sidecar == nil {
		return "", fmt.Errorf("needs the sidecar scenario's certificate")
	}
	dir := filepath.Join(s.c.workDir, "prov-cert")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "cert-chain.pem"), s.sidecar.CertificateChain, 0o600); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), s.sidecar.PrivateKey, 0o600); err != nil {
		return "", err
	}
	sm, item, err := s.issuedAgent(agentSpec{name: "renewal", serviceAccount: "web", provCertDir: dir})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	prev, err := parseCerts(s.sidecar.CertificateChain)
	if err != nil {
		return "", err
	}
	chain, err := parseCerts(item.CertificateChain)
	if err != nil {
		return "", err
	}
	if err := checkLeaf(chain[0], s.identity("web")); err != nil {
		return "", err
	}
	if chain[0].SerialNumber.Cmp(prev[0].SerialNumber) == 0 {
		return "", fmt.Errorf("renewal returned the previous certificate")
	}
	if err := verifyForBothUses(chain, s.roots); err != nil {
		return "", err
	}
	return "previous certificate as client cert, no token: new leaf for the same identity", nil
}
