// Command istiod-ca is istiod's certificate authority, alone, for side-by-side benchmarks with
// Signet (src/bench/storm.sh, docs/benchmarks.md): Istio's own CA server
// (security/pkg/server/ca) signing with Istio's plugged-in CA (security/pkg/pki/ca) over the same
// CA files Signet uses, behind a TLS gRPC server built with istiod's own server options
// (pilot/pkg/grpc), and authenticating callers as istiod does: with Istio's JWT authenticator
// over a JWKS (istiod's out-of-cluster mode) or with Istio's TokenReview authenticator against
// an API server (istiod's in-cluster mode). Nothing here is Signet code; only the wiring that
// istiod's bootstrap does is repeated, without XDS.
//
// It prints "serving CA on port P, metrics on port M" once it listens. Its /metrics carries the
// Go runtime's process_cpu_seconds_total and process_resident_memory_bytes.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	grpcprom "github.com/grpc-ecosystem/go-grpc-prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"istio.io/api/security/v1beta1"
	istiogrpc "istio.io/istio/pilot/pkg/grpc"
	"istio.io/istio/pkg/config/mesh/meshwatcher"
	"istio.io/istio/pkg/keepalive"
	"istio.io/istio/pkg/security"
	"istio.io/istio/security/pkg/pki/ca"
	caserver "istio.io/istio/security/pkg/server/ca"
	"istio.io/istio/security/pkg/server/ca/authenticate"
	"istio.io/istio/security/pkg/server/ca/authenticate/kubeauth"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "gRPC listen address")
	metricsAddr := flag.String("metrics-addr", "127.0.0.1:0", "/metrics listen address")
	caDir := flag.String("ca-dir", "", "Istio plug-in CA files: ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem")
	jwks := flag.String("jwks", "", "JWKS file: authenticate with Istio's JWT authenticator (istiod out of cluster)")
	issuer := flag.String("issuer", "", "the tokens' issuer, with -jwks")
	kubeconfig := flag.String("kubeconfig", "", "authenticate with TokenReview against this API server (istiod in cluster)")
	audience := flag.String("audience", "istio-ca", "the audience tokens must carry")
	ttl := flag.Duration("ttl", 24*time.Hour, "default and maximum workload certificate lifetime")
	host := flag.String("host", "localhost", "DNS name of the serving certificate")
	flag.Parse()
	if *caDir == "" || (*jwks == "") == (*kubeconfig == "") {
		log.Fatal("istiod-ca: needs -ca-dir and exactly one of -jwks (with -issuer) or -kubeconfig")
	}

	opts, err := ca.NewPluggedCertIstioCAOptions(ca.SigningCAFileBundle{
		RootCertFile:    filepath.Join(*caDir, "root-cert.pem"),
		CertChainFiles:  []string{filepath.Join(*caDir, "cert-chain.pem")},
		SigningCertFile: filepath.Join(*caDir, "ca-cert.pem"),
		SigningKeyFile:  filepath.Join(*caDir, "ca-key.pem"),
	}, *ttl, *ttl, 2048)
	if err != nil {
		log.Fatalf("istiod-ca: CA files: %v", err)
	}
	istioCA, err := ca.NewIstioCA(opts)
	if err != nil {
		log.Fatalf("istiod-ca: %v", err)
	}

	meshHolder := meshwatcher.NewTestWatcher(nil)
	var authenticators []security.Authenticator
	if *kubeconfig != "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
		if err != nil {
			log.Fatalf("istiod-ca: kubeconfig: %v", err)
		}
		// istiod's own defaults (pilot-discovery --kubernetesApiQPS, --kubernetesApiBurst), not
		// client-go's 5 requests per second.
		cfg.QPS, cfg.Burst = 80, 160
		client, err := kubernetes.NewForConfig(cfg)
		if err != nil {
			log.Fatalf("istiod-ca: %v", err)
		}
		authenticators = append(authenticators,
			kubeauth.NewKubeJWTAuthenticator(meshHolder, client, "Kubernetes", nil, nil))
	} else {
		jwksURL := serveJwks(*jwks)
		auth, err := authenticate.NewJwtAuthenticator(&v1beta1.JWTRule{
			Issuer: *issuer, JwksUri: jwksURL, Audiences: []string{*audience},
		}, meshHolder)
		if err != nil {
			log.Fatalf("istiod-ca: %v", err)
		}
		authenticators = append(authenticators, auth)
	}
	server, err := caserver.New(istioCA, *ttl, authenticators, nil)
	if err != nil {
		log.Fatalf("istiod-ca: %v", err)
	}

	// istiod's own serving certificate, made as istiod makes it when it is its own CA.
	certPEM, keyPEM, err := istioCA.GenKeyCert([]string{*host}, *ttl, false)
	if err != nil {
		log.Fatalf("istiod-ca: serving certificate: %v", err)
	}
	chain := append(certPEM, istioCA.GetCAKeyCertBundle().GetCertChainPem()...)
	pair, err := tls.X509KeyPair(chain, keyPEM)
	if err != nil {
		log.Fatalf("istiod-ca: serving certificate: %v", err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(istioCA.GetCAKeyCertBundle().GetRootCertPem())
	// As istiod's secure gRPC server (pilot/pkg/bootstrap/server.go initSecureDiscoveryService).
	tlsConfig := &tls.Config{
		Certificates: []tls.Certificate{pair},
		ClientAuth:   tls.VerifyClientCertIfGiven,
		ClientCAs:    roots,
		MinVersion:   tls.VersionTLS12,
	}
	grpcOpts := istiogrpc.ServerOptions(keepalive.DefaultOption(), func(int64) {}, grpcprom.UnaryServerInterceptor)
	grpcOpts = append(grpcOpts, grpc.Creds(credentials.NewTLS(tlsConfig)))
	grpcServer := grpc.NewServer(grpcOpts...)
	server.Register(grpcServer)

	lis, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("istiod-ca: %v", err)
	}
	metrics, err := net.Listen("tcp", *metricsAddr)
	if err != nil {
		log.Fatalf("istiod-ca: %v", err)
	}
	go func() {
		mux := http.NewServeMux()
		mux.Handle("/metrics", promhttp.Handler())
		log.Fatal(http.Serve(metrics, mux))
	}()
	fmt.Printf("serving CA on port %d, metrics on port %d\n",
		lis.Addr().(*net.TCPAddr).Port, metrics.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	log.Fatal(grpcServer.Serve(lis))
}

// serveJwks serves the JWKS file on a loopback port, as an OIDC provider's jwks_uri, and returns
// its URL.
func serveJwks(file string) string {
	body, err := os.ReadFile(file)
	if err != nil {
		log.Fatalf("istiod-ca: JWKS: %v", err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		log.Fatalf("istiod-ca: %v", err)
	}
	go func() {
		log.Fatal(http.Serve(lis, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		})))
	}()
	return fmt.Sprintf("http://%s/jwks", lis.Addr())
}
