package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"time"

	"istio.io/istio/pkg/security"
	"istio.io/istio/security/pkg/nodeagent/cache"
)

// suite holds what later scenarios reuse from earlier ones.
type suite struct {
	c       config
	roots   *x509.CertPool
	rootDER [][]byte
	sidecar *security.SecretItem // the RSA sidecar's certificate, renewed later
	ecdsa   *security.SecretItem // the ECDSA PKCS#8 agent's certificate
	ztunnel []*x509.Certificate  // the chain the ztunnel-shaped call got
}

type scenario struct {
	name string
	run  func() (string, error)
}

func (s *suite) run() (passed, failed int) {
	scenarios := []scenario{
		{"sidecar-rsa2048", s.sidecarRSA},
		{"agent-ecdsa-p256-pkcs8", s.agentECDSA},
		{"ztunnel-ecdsa-empty-subject-tls13", s.ztunnelTLS13},
		{"x509-svid", s.x509SVID},
		{"renewal-client-cert-no-token", s.renewal},
		{"retry-control-unavailable", s.retryControl},
		{"rejected-no-token", s.rejectedNoToken},
		{"rejected-token-other-sa", s.rejectedOtherToken},
		{"rejected-csr-other-identity", s.rejectedOtherIdentity},
		{"rejected-csr-dns-san", s.rejectedDNSSAN},
		{"ttl-7d-clamped-rotation", s.ttlClampedRotation},
	}
	pool, roots, rootErr := rootPool(s.c.rootCert)
	if rootErr == nil {
		s.roots = pool
		for _, r := range roots {
			s.rootDER = append(s.rootDER, r.Raw)
		}
	}
	for _, sc := range scenarios {
		detail, err := "", rootErr
		if err == nil {
			detail, err = safely(sc.run)
		}
		if err != nil {
			fmt.Printf("FAIL %s: %v\n", sc.name, err)
			failed++
			continue
		}
		fmt.Printf("PASS %s: %s\n", sc.name, detail)
		passed++
	}
	return passed, failed
}

// scenarioTimeout bounds one scenario: the agent's CSR call has no deadline of its own, so a
// Signet that accepts connections and never answers would otherwise hang the suite.
const scenarioTimeout = 90 * time.Second

// safely runs one scenario, turning a panic or a hang into a failure.
func safely(f func() (string, error)) (string, error) {
	type result struct {
		detail string
		err    error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("panic: %v", r)}
			}
		}()
		d, err := f()
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		return r.detail, r.err
	case <-time.After(scenarioTimeout):
		return "", fmt.Errorf("no result within %s", scenarioTimeout)
	}
}

func (s *suite) identity(sa string) string {
	return fmt.Sprintf("spiffe://%s/ns/demo/sa/%s", s.c.trustDomain, sa)
}

// oneCall runs f and checks from Signet's own counters that exactly one CreateCertificate call
// reached the server, with the given outcome.
func (s *suite) oneCall(outcome string, f func() error) error {
	before, err := requestCounts(s.c.adminPort)
	if err != nil {
		return err
	}
	callErr := f()
	after, err := requestCounts(s.c.adminPort)
	if err != nil {
		return err
	}
	if callErr != nil {
		return callErr
	}
	if d := total(after) - total(before); d != 1 {
		return fmt.Errorf("Signet counted %v CreateCertificate calls, want exactly 1 (outcomes before %v, after %v)",
			d, before, after)
	}
	if d := after[outcome] - before[outcome]; d != 1 {
		return fmt.Errorf("the call's outcome on Signet was not %q (before %v, after %v)", outcome, before, after)
	}
	return nil
}

// issuedAgent starts the agent a describes and has it fetch its workload certificate, which
// must take exactly one CreateCertificate call that succeeds on Signet (oneCall). The caller
// closes the agent it gets back.
func (s *suite) issuedAgent(a agentSpec) (*cache.SecretManagerClient, *security.SecretItem, error) {
	sm, _, err := s.newAgent(a)
	if err != nil {
		return nil, nil, err
	}
	var item *security.SecretItem
	if err := s.oneCall("ok", func() (e error) { item, e = fetchWorkloadCert(sm); return e }); err != nil {
		sm.Close()
		return nil, nil, err
	}
	return sm, item, nil
}

// sidecarRSA: istio-agent's default configuration (RSA-2048 key, PKCS#1, token from the
// projected token file as Bearer, ClusterID header, TLS to the CA address's host verified with
// the mounted root-cert.pem).
func (s *suite) sidecarRSA() (string, error) {
	sm, item, err := s.issuedAgent(agentSpec{name: "sidecar", serviceAccount: "web", tokenFile: s.c.tokenWeb})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	chain, err := parseCerts(item.CertificateChain)
	if err != nil {
		return "", err
	}
	leaf := chain[0]
	pub, ok := leaf.PublicKey.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() != 2048 {
		return "", fmt.Errorf("leaf key is %T, want the agent's RSA-2048", leaf.PublicKey)
	}
	if err := checkLeaf(leaf, s.identity("web")); err != nil {
		return "", err
	}
	if err := verifyForBothUses(chain, s.roots); err != nil {
		return "", err
	}
	if !item.ExpireTime.Equal(leaf.NotAfter) {
		return "", fmt.Errorf("agent expiry %v differs from leaf NotAfter %v", item.ExpireTime, leaf.NotAfter)
	}
	// The trust anchor the agent hands Envoy (resource ROOTCA) is the response's last element.
	root, err := sm.GenerateSecret(security.RootCertReqResourceName)
	if err != nil {
		return "", fmt.Errorf("agent ROOTCA: %v", err)
	}
	anchors, err := parseCerts(root.RootCert)
	if err != nil {
		return "", fmt.Errorf("agent ROOTCA: %v", err)
	}
	if err := sameCerts(anchors, s.rootDER); err != nil {
		return "", fmt.Errorf("the trust anchors the agent serves Envoy differ from root-cert.pem: %v", err)
	}
	s.sidecar = item
	return fmt.Sprintf("%s RSA-2048, chain of %d verified by crypto/x509 for serverAuth and clientAuth, "+
		"TTL %s, agent ROOTCA = root-cert.pem", s.identity("web"), len(chain), ttl(leaf)), nil
}

// agentECDSA: istio-agent with ECC_SIGNATURE_ALGORITHM=ECDSA and PKCS8_KEY=true.
func (s *suite) agentECDSA() (string, error) {
	sm, item, err := s.issuedAgent(agentSpec{name: "ecdsa", serviceAccount: "web", tokenFile: s.c.tokenWeb,
		ecdsa: true, pkcs8: true})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	block, _ := pem.Decode(item.PrivateKey)
	if block == nil || block.Type != "PRIVATE KEY" {
		return "", fmt.Errorf("agent key is not a PKCS#8 PEM block")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return "", err
	}
	if k, ok := key.(*ecdsa.PrivateKey); !ok || k.Curve != elliptic.P256() {
		return "", fmt.Errorf("agent key is %T, want ECDSA P-256", key)
	}
	chain, err := parseCerts(item.CertificateChain)
	if err != nil {
		return "", err
	}
	if pub, ok := chain[0].PublicKey.(*ecdsa.PublicKey); !ok || pub.Curve != elliptic.P256() {
		return "", fmt.Errorf("leaf key is %T, want ECDSA P-256", chain[0].PublicKey)
	}
	if err := checkLeaf(chain[0], s.identity("web")); err != nil {
		return "", err
	}
	if err := verifyForBothUses(chain, s.roots); err != nil {
		return "", err
	}
	s.ecdsa = item
	return fmt.Sprintf("ECDSA P-256 PKCS#8 key, chain of %d verified for serverAuth and clientAuth",
		len(chain)), nil
}

func ttl(leaf *x509.Certificate) string {
	return time.Until(leaf.NotAfter).Round(time.Minute).String()
}

func sameCerts(got []*x509.Certificate, want [][]byte) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d certificates, want %d", len(got), len(want))
	}
	for i := range got {
		if string(got[i].Raw) != string(want[i]) {
			return fmt.Errorf("certificate %d differs", i)
		}
	}
	return nil
}
