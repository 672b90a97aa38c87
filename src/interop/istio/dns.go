package main

import (
	"context"
	"errors"
	"net"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// startFakeClusterDNS stands in for the cluster DNS that resolves a sidecar's CA_ADDR host
// (signet.signet-system.svc) to the Signet Service. There is no cluster here, so a tiny
// resolver on 127.0.0.1 answers A queries for that one name with 127.0.0.1 and NXDOMAIN for
// everything else, and this process's Go resolver is pointed at it. That lets the agent dial
// the CA address exactly as configured in a mesh, so the TLS server name it checks is the host
// of the CA address and Signet's serving certificate must carry it. Nothing leaves loopback.
func startFakeClusterDNS(host string) (stop func(), err error) {
	name, err := dnsmessage.NewName(strings.TrimSuffix(host, ".") + ".")
	if err != nil {
		return nil, err
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	go serveFakeDNS(pc, name)
	addr := pc.LocalAddr().String()
	previous := net.DefaultResolver
	net.DefaultResolver = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", addr)
		},
	}
	return func() {
		net.DefaultResolver = previous
		_ = pc.Close()
	}, nil
}

func serveFakeDNS(pc net.PacketConn, name dnsmessage.Name) {
	buf := make([]byte, 1500)
	for {
		n, from, err := pc.ReadFrom(buf)
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		if reply, ok := answer(buf[:n], name); ok {
			_, _ = pc.WriteTo(reply, from)
		}
	}
}

// answer builds the reply to one query: 127.0.0.1 for an A query of name, an empty NOERROR
// answer for its other types (AAAA), NXDOMAIN for any other name.
func answer(query []byte, name dnsmessage.Name) ([]byte, bool) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, false
	}
	q, err := p.Question()
	if err != nil {
		return nil, false
	}
	known := strings.EqualFold(q.Name.String(), name.String())
	rh := dnsmessage.Header{ID: h.ID, Response: true, Authoritative: true,
		RecursionDesired: h.RecursionDesired, RecursionAvailable: true}
	if !known {
		rh.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, rh)
	b.EnableCompression()
	if b.StartQuestions() != nil || b.Question(q) != nil || b.StartAnswers() != nil {
		return nil, false
	}
	if known && q.Type == dnsmessage.TypeA {
		rrh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA,
			Class: dnsmessage.ClassINET, TTL: 5}
		if b.AResource(rrh, dnsmessage.AResource{A: [4]byte{127, 0, 0, 1}}) != nil {
			return nil, false
		}
	}
	out, err := b.Finish()
	return out, err == nil
}
