package main

import (
	"fmt"
	"path/filepath"
	"regexp"
	"time"

	"istio.io/istio/pkg/security"
	"istio.io/istio/security/pkg/credentialfetcher"
	"istio.io/istio/security/pkg/nodeagent/cache"
	"istio.io/istio/security/pkg/nodeagent/caclient/providers/citadel"
)

// agentSpec is what differs between the istio-agent configurations the scenarios use; every
// other field is set to istio-agent's default (pilot/cmd/pilot-agent/options).
type agentSpec struct {
	name           string        // subdirectory of the work dir for this agent's files
	serviceAccount string        // SERVICE_ACCOUNT: the identity the CSR asks for
	tokenFile      string        // the projected token; "" means no credential fetcher
	provCertDir    string        // PROV_CERT: cert-chain.pem + key.pem presented as client cert
	ecdsa          bool          // ECC_SIGNATURE_ALGORITHM=ECDSA (P-256)
	pkcs8          bool          // PKCS8_KEY
	secretTTL      time.Duration // SECRET_TTL
	graceRatio     float64       // SECRET_GRACE_PERIOD_RATIO
	graceJitter    float64       // SECRET_GRACE_PERIOD_RATIO_JITTER
	caPort         int           // port of CA_ADDR when not Signet's (the retry control)
}

// newAgent builds the CA client and secret manager the way istio-agent does: security.Options
// as options.NewSecurityOptions fills them, the credential fetcher from
// credentialfetcher.NewCredFetcher (JWT type, the projected token path), the citadel client as
// istio-agent's createCitadel builds it (TLS with the mounted root, plus PROV_CERT's key and
// cert when set), and cache.NewSecretManagerClient on top.
func (s *suite) newAgent(a agentSpec) (*cache.SecretManagerClient, *citadel.CitadelClient, error) {
	if a.secretTTL == 0 {
		a.secretTTL = 24 * time.Hour
	}
	if a.graceRatio == 0 {
		a.graceRatio = 0.5
		a.graceJitter = 0.01
	}
	dir := filepath.Join(s.c.workDir, a.name)
	endpoint := s.c.caEndpoint()
	if a.caPort != 0 {
		endpoint = fmt.Sprintf("%s:%d", s.c.caHost, a.caPort)
	}
	opts := &security.Options{
		CAEndpoint:                           endpoint,
		CAProviderName:                       "Citadel",
		ClusterID:                            s.c.clusterID,
		WorkloadNamespace:                    "demo",
		ServiceAccount:                       a.serviceAccount,
		TrustDomain:                          s.c.trustDomain,
		WorkloadRSAKeySize:                   2048,
		Pkcs8Keys:                            a.pkcs8,
		SecretTTL:                            a.secretTTL,
		SecretRotationGracePeriodRatio:       a.graceRatio,
		SecretRotationGracePeriodRatioJitter: a.graceJitter,
		ProvCert:                             a.provCertDir,
		// The agent's defaults are /etc/certs/*, absent in a sidecar; these are absent too.
		CertChainFilePath: filepath.Join(dir, "etc-certs", "cert-chain.pem"),
		KeyFilePath:       filepath.Join(dir, "etc-certs", "key.pem"),
		RootCertFilePath:  filepath.Join(dir, "etc-certs", "root-cert.pem"),
		CAHeaders:         map[string]string{},
	}
	if a.ecdsa {
		opts.ECCSigAlg = "ECDSA"
		opts.ECCCurve = "P256"
	}
	fetcher, err := credentialfetcher.NewCredFetcher(security.JWT, opts.TrustDomain, a.tokenFile, "")
	if err != nil {
		return nil, nil, fmt.Errorf("credential fetcher: %v", err)
	}
	opts.CredFetcher = fetcher

	tlsOpts := &citadel.TLSOptions{RootCert: s.c.rootCert}
	if a.provCertDir != "" {
		// istio-agent's getKeyCertInner(PROV_CERT)
		tlsOpts.Key = filepath.Join(a.provCertDir, "key.pem")
		tlsOpts.Cert = filepath.Join(a.provCertDir, "cert-chain.pem")
	}
	caClient, err := citadel.NewCitadelClient(opts, tlsOpts)
	if err != nil {
		return nil, nil, fmt.Errorf("citadel client: %v", err)
	}
	sm, err := cache.NewSecretManagerClient(caClient, opts)
	if err != nil {
		caClient.Close()
		return nil, nil, fmt.Errorf("secret manager: %v", err)
	}
	return sm, caClient, nil
}

// fetchWorkloadCert asks the secret manager for the workload certificate, as the SDS server
// does when Envoy requests resource "default".
func fetchWorkloadCert(sm *cache.SecretManagerClient) (*security.SecretItem, error) {
	return sm.GenerateSecret(security.WorkloadKeyCertResourceName)
}

var grpcCode = regexp.MustCompile(`code = ([A-Za-z]+)`)

// statusCode extracts the gRPC code from the error the agent reports. The citadel client wraps
// the status with %v, so only its text survives.
func statusCode(err error) string {
	if err == nil {
		return "OK"
	}
	if m := grpcCode.FindStringSubmatch(err.Error()); m != nil {
		return m[1]
	}
	return "none"
}
