package main

import (
	"fmt"
	"time"

	"istio.io/istio/pkg/security"
)

// ttlClampedRotation: the agent asks for a 7-day certificate (SECRET_TTL=168h, what Istio's
// integration tests use). Signet clamps it to its maximum instead of refusing, and the agent's
// own rotation scheduler (SecretManagerClient.registerSecret, rotating at
// NotAfter - ratio * lifetime) works from the NotAfter it got, not from what it asked for.
//
// The grace ratio is set so that a 24-hour certificate rotates 4 s after issuance; had the agent
// used the requested 7 days it would rotate after 28 s. The rotation callback must fire at the
// time computed from the real NotAfter, and the agent's next fetch must get a new certificate.
func (s *suite) ttlClampedRotation() (string, error) {
	const requested = 7 * 24 * time.Hour
	lead := 4 * time.Second
	ratio := 1 - lead.Seconds()/s.c.maxTTL.Seconds()
	sm, _, err := s.newAgent(agentSpec{name: "ttl-7d", serviceAccount: "web", tokenFile: s.c.tokenWeb,
		secretTTL: requested, graceRatio: ratio, graceJitter: 0})
	if err != nil {
		return "", err
	}
	defer sm.Close()
	rotated := make(chan time.Time, 1)
	sm.RegisterSecretHandler(func(resource string) {
		if resource == security.WorkloadKeyCertResourceName {
			select {
			case rotated <- time.Now():
			default:
			}
		}
	})
	var item *security.SecretItem
	if err := s.oneCall("ok", func() (e error) { item, e = fetchWorkloadCert(sm); return e }); err != nil {
		return "", fmt.Errorf("a 7-day request was not served: %v", err)
	}
	chain, err := parseCerts(item.CertificateChain)
	if err != nil {
		return "", err
	}
	leaf := chain[0]
	granted := leaf.NotAfter.Sub(item.CreatedTime)
	if granted > s.c.maxTTL+time.Minute || granted < s.c.maxTTL-5*time.Minute {
		return "", fmt.Errorf("asked for %s, got %s; want it clamped to %s", requested, granted, s.c.maxTTL)
	}
	if !item.ExpireTime.Equal(leaf.NotAfter) {
		return "", fmt.Errorf("agent expiry %v differs from the leaf's NotAfter %v", item.ExpireTime, leaf.NotAfter)
	}
	life := item.ExpireTime.Sub(item.CreatedTime)
	expected := item.ExpireTime.Add(-time.Duration(ratio * float64(life)))
	fromRequested := item.CreatedTime.Add(time.Duration((1 - ratio) * float64(requested)))
	var fired time.Time
	select {
	case fired = <-rotated:
	case <-time.After(time.Until(fromRequested) + 5*time.Second):
		return "", fmt.Errorf("the agent did not rotate by %s", fromRequested.Format(time.RFC3339))
	}
	if off := fired.Sub(expected); off < -time.Second || off > 5*time.Second {
		return "", fmt.Errorf("rotation fired %s after issuance, want %s (from the real NotAfter); "+
			"from the requested TTL it would be %s", fired.Sub(item.CreatedTime).Round(100*time.Millisecond),
			expected.Sub(item.CreatedTime).Round(100*time.Millisecond),
			fromRequested.Sub(item.CreatedTime).Round(100*time.Millisecond))
	}
	var next *security.SecretItem
	if err := s.oneCall("ok", func() (e error) { next, e = fetchWorkloadCert(sm); return e }); err != nil {
		return "", fmt.Errorf("after rotation: %v", err)
	}
	nextChain, err := parseCerts(next.CertificateChain)
	if err != nil {
		return "", err
	}
	if nextChain[0].SerialNumber.Cmp(leaf.SerialNumber) == 0 {
		return "", fmt.Errorf("after rotation the agent still serves the old certificate")
	}
	return fmt.Sprintf("asked %s, got %s; rotation fired %s after issuance as computed from the real "+
		"NotAfter (the requested TTL would give %s); re-issued after rotation",
		requested, granted.Round(time.Minute), fired.Sub(item.CreatedTime).Round(100*time.Millisecond),
		fromRequested.Sub(item.CreatedTime).Round(time.Second)), nil
}
