//go:build tools

// Package tools names the commands .ci/tools/istio-bin.sh builds, so that go mod tidy keeps
// their dependencies in istio-RELEASE.mod; it is never compiled.
package tools

import (
	_ "istio.io/istio/pilot/cmd/pilot-agent"
	_ "istio.io/istio/pilot/cmd/pilot-discovery"
)
