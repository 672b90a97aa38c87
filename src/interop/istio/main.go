// Command istio-interop drives a running Signet with Istio's own CA client: the citadel client
// (security/pkg/nodeagent/caclient/providers/citadel) behind the agent's SecretManagerClient,
// configured the way istio-agent configures them. It is a test peer, never part of Signet.
//
// Each scenario prints one line, "PASS <name>: <detail>" or "FAIL <name>: <reason>", then a
// closing "<label>: N passed, N failed" line; the exit code is non-zero when any scenario
// failed. .ci/interop.sh starts Signet and runs this once per Istio release.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"time"

	istiolog "istio.io/istio/pkg/log"
)

// config is what the suite needs to know about the Signet it talks to.
type config struct {
	caHost      string // the host of the CA address, as a sidecar's CA_ADDR names it
	grpcPort    int
	adminPort   int
	rootCert    string // root-cert.pem as the agent mounts it
	tokenWeb    string // projected token file for demo/web
	tokenOther  string // projected token file for demo/other
	trustDomain string
	clusterID   string
	maxTTL      time.Duration // Signet's issuance.max-ttl
	workDir     string
	istioLog    string // Istio's own log; its retry interceptor's warnings are counted here
}

func (c config) caEndpoint() string { return fmt.Sprintf("%s:%d", c.caHost, c.grpcPort) }

func main() {
	var c config
	flag.StringVar(&c.caHost, "ca-host", "signet.signet-system.svc",
		"host of the CA address; resolved to 127.0.0.1 by the suite's fake cluster DNS")
	flag.IntVar(&c.grpcPort, "grpc-port", 0, "Signet's gRPC port on 127.0.0.1")
	flag.IntVar(&c.adminPort, "admin-port", 0, "Signet's admin port on 127.0.0.1 (/metrics)")
	flag.StringVar(&c.rootCert, "root-cert", "", "Signet's root-cert.pem")
	flag.StringVar(&c.tokenWeb, "token", "", "token file for service account demo/web")
	flag.StringVar(&c.tokenOther, "other-token", "", "token file for service account demo/other")
	flag.StringVar(&c.trustDomain, "trust-domain", "cluster.local", "mesh trust domain")
	flag.StringVar(&c.clusterID, "cluster-id", "Kubernetes", "ClusterID header value")
	flag.DurationVar(&c.maxTTL, "max-ttl", 24*time.Hour, "Signet's issuance.max-ttl")
	flag.StringVar(&c.workDir, "work-dir", "", "directory for files the agent would write")
	flag.StringVar(&c.istioLog, "istio-log", "", "file for Istio's own log output (default WORK_DIR/istio.log)")
	flag.Parse()
	if c.grpcPort == 0 || c.adminPort == 0 || c.rootCert == "" || c.tokenWeb == "" ||
		c.tokenOther == "" || c.workDir == "" {
		fmt.Fprintln(os.Stderr, "usage: istio-interop -grpc-port P -admin-port A -root-cert F "+
			"-token F -other-token F -work-dir D [-istio-log F]")
		os.Exit(2)
	}
	if c.istioLog == "" {
		c.istioLog = filepath.Join(c.workDir, "istio.log")
	}
	if err := configureIstioLog(c.istioLog); err != nil {
		fmt.Fprintln(os.Stderr, "cannot configure Istio's log:", err)
		os.Exit(2)
	}
	stopDNS, err := startFakeClusterDNS(c.caHost)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cannot start the fake cluster DNS:", err)
		os.Exit(2)
	}

	fmt.Printf("=== Istio %s client against Signet at %s (%s)\n", istioRelease, c.caEndpoint(), istioModule())
	s := &suite{c: c}
	passed, failed := s.run()
	fmt.Printf("istio-%s: %d passed, %d failed\n", istioRelease, passed, failed)
	stopDNS()
	if failed > 0 {
		os.Exit(1)
	}
}

// configureIstioLog sends Istio's logs (the agent's cache, citadel client and ca scopes) to a
// file at Istio's default levels, so a failure can be read afterwards without flooding the
// suite's output, and the retry interceptor's warnings can be counted.
func configureIstioLog(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	o := istiolog.DefaultOptions()
	o.OutputPaths = []string{path}
	o.ErrorOutputPaths = []string{path}
	return istiolog.Configure(o)
}

// istioModule is the istio.io/istio module version this binary was built with.
func istioModule() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "istio.io/istio" {
				if d.Replace != nil {
					return d.Path + "@" + d.Replace.Version
				}
				return d.Path + "@" + d.Version
			}
		}
	}
	return "istio.io/istio@unknown"
}

// istioRelease is set at build time (-ldflags -X main.istioRelease=1.31) by
// .ci/tools/istio-interop.sh from the modfile it builds with.
var istioRelease = "dev"

// deadline bounds every wait in the suite.
const deadline = 30 * time.Second
