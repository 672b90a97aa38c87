package main

import (
	"bytes"
	"fmt"
	"net"
	"os"

	pkiutil "istio.io/istio/security/pkg/pki/util"
)

// rejected runs one agent whose request Signet must refuse, and checks the code the agent got
// and, from Signet's counters, that the agent's retry interceptor (security.CARetryInterceptor,
// which retries Canceled, DeadlineExceeded, ResourceExhausted, Aborted, Internal and
// Unavailable up to 5 times) sent it exactly once.
func (s *suite) rejected(spec agentSpec, wantCode, outcome string) (string, error) {
	sm, _, err := s.newAgent(spec)
	if err != nil {
		return "", err
	}
	defer sm.Close()
	return s.final(wantCode, outcome, func() error {
		_, err := fetchWorkloadCert(sm)
		return err
	})
}

// final runs one refused call and checks it was not retried, two ways: Signet counted exactly
// one call (with the given outcome), and Istio's retry interceptor logged no new attempt (its
// backoff hook logs "ca request failed, starting attempt N" before every retry; the
// retry-control scenario shows that line appears when it does retry).
func (s *suite) final(wantCode, outcome string, call func() error) (string, error) {
	retriesBefore, err := s.retriesLogged()
	if err != nil {
		return "", err
	}
	var callErr error
	err = s.oneCall(outcome, func() error {
		if callErr = call(); callErr == nil {
			return fmt.Errorf("Signet issued a certificate it must refuse")
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	if got := statusCode(callErr); got != wantCode {
		return "", fmt.Errorf("agent got %s, want %s: %v", got, wantCode, callErr)
	}
	retriesAfter, err := s.retriesLogged()
	if err != nil {
		return "", err
	}
	if n := retriesAfter - retriesBefore; n != 0 {
		return "", fmt.Errorf("%s, but Istio's retry interceptor retried it %d times", wantCode, n)
	}
	return wantCode + "; exactly 1 call reached Signet and Istio's retry interceptor made no retry", nil
}

var retryLine = []byte("ca request failed, starting attempt")

// retriesLogged counts the retry interceptor's "starting attempt" warnings in Istio's log.
func (s *suite) retriesLogged() (int, error) {
	b, err := os.ReadFile(s.c.istioLog)
	if err != nil {
		return 0, err
	}
	return bytes.Count(b, retryLine), nil
}

// retryControl is the positive control for the no-retry checks: an agent whose CA address
// points at a loopback listener that drops every connection gets Unavailable, which Istio's
// retry interceptor retries, and each retry shows in its log.
func (s *suite) retryControl() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			_ = conn.Close()
		}
	}()
	sm, _, err := s.newAgent(agentSpec{name: "retry-control", serviceAccount: "web",
		tokenFile: s.c.tokenWeb, caPort: ln.Addr().(*net.TCPAddr).Port})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	before, err := s.retriesLogged()
	if err != nil {
		return "", err
	}
	_, callErr := fetchWorkloadCert(sm)
	after, err := s.retriesLogged()
	if err != nil {
		return "", err
	}
	if got := statusCode(callErr); got != "Unavailable" {
		return "", fmt.Errorf("agent got %s from a listener that drops connections, want Unavailable: %v", got, callErr)
	}
	if after-before < 1 {
		return "", fmt.Errorf("Istio's retry interceptor logged no retry for Unavailable; the no-retry checks would prove nothing")
	}
	return fmt.Sprintf("Unavailable was retried %d times by Istio's retry interceptor (seen in its log)", after-before), nil
}

// rejectedNoToken: no token and no client certificate.
func (s *suite) rejectedNoToken() (string, error) {
	return s.rejected(agentSpec{name: "no-token", serviceAccount: "web"}, "Unauthenticated", "unauthenticated")
}

// rejectedOtherToken: the agent of demo/web holds the token of demo/other.
func (s *suite) rejectedOtherToken() (string, error) {
	return s.rejected(agentSpec{name: "other-token", serviceAccount: "web", tokenFile: s.c.tokenOther},
		"Unauthenticated", "unauthenticated")
}

// rejectedOtherIdentity: the token of demo/web, a CSR for demo/admin.
func (s *suite) rejectedOtherIdentity() (string, error) {
	return s.rejected(agentSpec{name: "other-identity", serviceAccount: "admin", tokenFile: s.c.tokenWeb},
		"Unauthenticated", "unauthenticated")
}

// rejectedDNSSAN: a CSR made by Istio's own GenCSR with a DNS SAN beside the identity (istiod
// signs it; Signet's CSR policy refuses it as bad input), sent by the citadel client.
func (s *suite) rejectedDNSSAN() (string, error) {
	sm, client, err := s.newAgent(agentSpec{name: "dns-san", serviceAccount: "web", tokenFile: s.c.tokenWeb})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	csr, _, err := pkiutil.GenCSR(pkiutil.CertOptions{Host: s.identity("web") + ",web.demo.svc", RSAKeySize: 2048})
	if err != nil {
		return "", err
	}
	return s.final("InvalidArgument", "invalid_request", func() error {
		_, err := client.CSRSign(csr, 86400)
		return err
	})
}
