// Command echo-server is the server workload of the Istio e2e suite (dev.signet.e2e.IstioE2E):
// a proxyless gRPC server configured by xDS through the bootstrap its pilot-agent wrote
// (GRPC_XDS_BOOTSTRAP). Its security (mTLS or plaintext) is what istiod's listener for it says;
// the certificates are the agent's files. It serves grpc.health.v1.Health and answers every
// Check with the caller's identity in response headers:
//
//	x-peer-identity: the URI SANs of the client's certificate ("none" over plaintext)
//	x-peer-issuer:   the subject of the certificate that issued it
//	x-peer-issuer-key: the certificate's authority key identifier in hex (which CA key signed
//	                   it: CAs that share a subject, such as renewals, differ here)
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	xdscreds "google.golang.org/grpc/credentials/xds"
	"google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/peer"
	"google.golang.org/grpc/xds"
)

type health struct {
	grpc_health_v1.UnimplementedHealthServer
}

func (health) Check(ctx context.Context, _ *grpc_health_v1.HealthCheckRequest) (*grpc_health_v1.HealthCheckResponse, error) {
	identity, issuer, issuerKey := "none", "none", "none"
	if p, ok := peer.FromContext(ctx); ok {
		if tlsInfo, ok := p.AuthInfo.(credentials.TLSInfo); ok && len(tlsInfo.State.PeerCertificates) > 0 {
			leaf := tlsInfo.State.PeerCertificates[0]
			var uris []string
			for _, u := range leaf.URIs {
				uris = append(uris, u.String())
			}
			identity = strings.Join(uris, ",")
			issuer = leaf.Issuer.String()
			issuerKey = hex.EncodeToString(leaf.AuthorityKeyId)
		}
	}
	if err := grpc.SetHeader(ctx, metadata.Pairs("x-peer-identity", identity, "x-peer-issuer", issuer,
		"x-peer-issuer-key", issuerKey)); err != nil {
		return nil, err
	}
	return &grpc_health_v1.HealthCheckResponse{Status: grpc_health_v1.HealthCheckResponse_SERVING}, nil
}

func main() {
	address := flag.String("listen", "", "address to listen on: the pod's IP and the container port")
	flag.Parse()
	if *address == "" || os.Getenv("GRPC_XDS_BOOTSTRAP") == "" {
		log.Fatal("echo-server: needs -listen and GRPC_XDS_BOOTSTRAP")
	}
	creds, err := xdscreds.NewServerCredentials(xdscreds.ServerOptions{FallbackCreds: insecure.NewCredentials()})
	if err != nil {
		log.Fatalf("echo-server: xDS credentials: %v", err)
	}
	server, err := xds.NewGRPCServer(grpc.Creds(creds), xds.ServingModeCallback(
		func(addr net.Addr, args xds.ServingModeChangeArgs) {
			fmt.Printf("serving-mode %s %s err=%v\n", addr, args.Mode, args.Err)
		}))
	if err != nil {
		log.Fatalf("echo-server: xDS server: %v", err)
	}
	grpc_health_v1.RegisterHealthServer(server, health{})
	lis, err := net.Listen("tcp", *address)
	if err != nil {
		log.Fatalf("echo-server: %v", err)
	}
	fmt.Printf("listening %s\n", lis.Addr())
	if err := server.Serve(lis); err != nil {
		log.Fatalf("echo-server: %v", err)
	}
}
