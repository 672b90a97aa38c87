package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"os"
	"strings"

	"github.com/spiffe/go-spiffe/v2/svid/x509svid"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"

	pb "istio.io/api/security/v1alpha1"
	pkiutil "istio.io/istio/security/pkg/pki/util"
)

// ztunnelTLS13 makes the call the way ztunnel (Rust, not part of the Go module) makes it: a
// P-256 key kept as PKCS#8, a CSR with an empty subject and only the SAN extension, sent over a
// connection that offers TLS 1.3 and nothing else, with the Bearer token. The request is built
// with Istio's API stubs (istio.io/api) and Istio's SAN extension builder.
func (s *suite) ztunnelTLS13() (string, error) {
	id := s.identity("web")
	generated, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return "", err
	}
	pkcs8, err := x509.MarshalPKCS8PrivateKey(generated)
	if err != nil {
		return "", err
	}
	parsed, err := x509.ParsePKCS8PrivateKey(pkcs8)
	if err != nil {
		return "", err
	}
	key := parsed.(*ecdsa.PrivateKey)
	san, err := pkiutil.BuildSubjectAltNameExtension(id)
	if err != nil {
		return "", err
	}
	csrDER, err := x509.CreateCertificateRequest(rand.Reader,
		&x509.CertificateRequest{Subject: pkix.Name{}, ExtraExtensions: []pkix.Extension{*san}}, key)
	if err != nil {
		return "", err
	}
	if csr, err := x509.ParseCertificateRequest(csrDER); err != nil || len(csr.Subject.Names) != 0 {
		return "", fmt.Errorf("the CSR subject is not empty (%v)", err)
	}
	token, err := os.ReadFile(s.c.tokenWeb)
	if err != nil {
		return "", err
	}

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS13, MaxVersion: tls.VersionTLS13,
		RootCAs: s.roots, ServerName: s.c.caHost}
	conn, err := grpc.NewClient("passthrough:///"+s.c.caEndpoint(),
		grpc.WithTransportCredentials(credentials.NewTLS(tlsConfig)))
	if err != nil {
		return "", err
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+strings.TrimSpace(string(token)))
	var p peer.Peer
	var resp *pb.IstioCertificateResponse
	err = s.oneCall("ok", func() (e error) {
		resp, e = pb.NewIstioCertificateServiceClient(conn).CreateCertificate(ctx,
			&pb.IstioCertificateRequest{
				Csr:              string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: csrDER})),
				ValidityDuration: 86400,
			}, grpc.Peer(&p))
		return e
	})
	if err != nil {
		return "", err
	}
	info, ok := p.AuthInfo.(credentials.TLSInfo)
	if !ok || info.State.Version != tls.VersionTLS13 {
		return "", fmt.Errorf("the connection is not TLS 1.3 (%v)", p.AuthInfo)
	}
	if info.State.NegotiatedProtocol != "h2" {
		return "", fmt.Errorf("ALPN negotiated %q, want h2", info.State.NegotiatedProtocol)
	}
	// ztunnel reads the leaf and each middle element as one certificate, the last as the roots.
	n := len(resp.CertChain)
	if n < 2 {
		return "", fmt.Errorf("the response has %d elements, want leaf and roots at least", n)
	}
	var chain []*x509.Certificate
	for i, el := range resp.CertChain {
		certs, err := parseCerts([]byte(el))
		if err != nil {
			return "", fmt.Errorf("element %d: %v", i, err)
		}
		if i < n-1 && len(certs) != 1 {
			return "", fmt.Errorf("element %d holds %d certificates, want 1", i, len(certs))
		}
		chain = append(chain, certs...)
	}
	if err := sameCerts(mustParse(resp.CertChain[n-1]), s.rootDER); err != nil {
		return "", fmt.Errorf("the last element is not root-cert.pem: %v", err)
	}
	leaf := chain[0]
	if !key.PublicKey.Equal(leaf.PublicKey) {
		return "", fmt.Errorf("the leaf does not certify the CSR's key")
	}
	if err := checkLeaf(leaf, id); err != nil {
		return "", err
	}
	if err := verifyForBothUses(chain, s.roots); err != nil {
		return "", err
	}
	s.ztunnel = chain
	return fmt.Sprintf("TLS 1.3 only (negotiated %s, ALPN h2), empty-subject P-256 CSR, chain of %d "+
		"elements verified for serverAuth and clientAuth", tls.VersionName(info.State.Version), n), nil
}

func mustParse(el string) []*x509.Certificate {
	certs, _ := parseCerts([]byte(el))
	return certs
}

// parseSVID is go-spiffe's x509svid.Parse over the agent's chain and PKCS#8 key.
func parseSVID(chainPEM, keyPEM []byte) (*x509svid.SVID, error) {
	return x509svid.Parse(chainPEM, keyPEM)
}
