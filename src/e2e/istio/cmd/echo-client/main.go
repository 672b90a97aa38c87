// Command echo-client is the client workload of the Istio e2e suite (dev.signet.e2e.IstioE2E).
// With xDS (the default) it dials xds:///<target> with xDS credentials, configured by the
// bootstrap its pilot-agent wrote (GRPC_XDS_BOOTSTRAP), and calls echo-server's Health.Check
// every -interval, each call on a new connection (so every call is a new TLS handshake with the
// certificates of that moment), until -stop names a file that exists. With -plaintext it makes
// one call over plaintext to an address and exits 1 if it fails. One line per call:
//
//	call ok n=<n> server-identity=<SANs> server-issuer=<DN> client-identity=<SANs> client-issuer=<DN> server-issuer-key=<hex> client-issuer-key=<hex>
//	call failed n=<n> err=<error>
//
// where an issuer key is the leaf's authority key identifier (which CA key signed it).
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	xdscreds "google.golang.org/grpc/credentials/xds"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	_ "google.golang.org/grpc/xds" // the xds:/// resolver and balancers
)

func main() {
	target := flag.String("target", "", "xds:///<service>.<namespace>.svc.cluster.local:<port>, or host:port with -plaintext")
	plaintext := flag.Bool("plaintext", false, "one call without TLS, then exit")
	interval := flag.Duration("interval", 200*time.Millisecond, "pause between calls")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline of each call")
	stop := flag.String("stop", "", "stop calling once this file exists")
	flag.Parse()
	if *target == "" {
		log.Fatal("echo-client: needs -target")
	}
	if *plaintext {
		if !call(1, *target, insecure.NewCredentials(), *timeout) {
			os.Exit(1)
		}
		return
	}
	creds, err := xdscreds.NewClientCredentials(xdscreds.ClientOptions{FallbackCreds: insecure.NewCredentials()})
	if err != nil {
		log.Fatalf("echo-client: xDS credentials: %v", err)
	}
	for n := 1; ; n++ {
		call(n, *target, creds, *timeout)
		if _, err := os.Stat(*stop); *stop != "" && err == nil {
			fmt.Printf("stopped after %d calls\n", n)
			return
		}
		time.Sleep(*interval)
	}
}

// call makes one Health.Check on a connection of its own and prints its outcome.
func call(n int, target string, creds credentials.TransportCredentials, timeout time.Duration) bool {
	conn, err := grpc.NewClient(target, grpc.WithTransportCredentials(creds))
	if err != nil {
		fmt.Printf("call failed n=%d err=%v\n", n, err)
		return false
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var header metadata.MD
	var server peer.Peer
	// Fail fast (the default): the call waits while the new channel resolves and connects, and
	// fails as soon as a connection attempt fails (a refused handshake); nothing retries it.
	_, err = grpc_health_v1.NewHealthClient(conn).Check(ctx, &grpc_health_v1.HealthCheckRequest{},
		grpc.Header(&header), grpc.Peer(&server))
	if err != nil {
		fmt.Printf("call failed n=%d err=%v\n", n, strings.ReplaceAll(err.Error(), "\n", " "))
		return false
	}
	serverIdentity, serverIssuer, serverIssuerKey := "none", "none", "none"
	if tlsInfo, ok := server.AuthInfo.(credentials.TLSInfo); ok && len(tlsInfo.State.PeerCertificates) > 0 {
		leaf := tlsInfo.State.PeerCertificates[0]
		var uris []string
		for _, u := range leaf.URIs {
			uris = append(uris, u.String())
		}
		serverIdentity, serverIssuer = strings.Join(uris, ","), leaf.Issuer.String()
		serverIssuerKey = hex.EncodeToString(leaf.AuthorityKeyId)
	}
	fmt.Printf("call ok n=%d server-identity=%s server-issuer=%s client-identity=%s client-issuer=%s server-issuer-key=%s client-issuer-key=%s\n",
		n, serverIdentity, quote(serverIssuer), first(header, "x-peer-identity"), quote(first(header, "x-peer-issuer")),
		serverIssuerKey, first(header, "x-peer-issuer-key"))
	return true
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return "missing"
}

// quote makes a DN (which holds spaces and commas) one field of the line.
func quote(dn string) string {
	return "\"" + dn + "\""
}
