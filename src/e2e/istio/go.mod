// Istio's own binaries for the e2e suite (.ci/e2e.sh): pilot-discovery (istiod) and pilot-agent,
// built from the istio.io/istio module, and the suite's proxyless gRPC workloads (cmd/echo-server,
// cmd/echo-client), all by .ci/tools/istio-bin.sh RELEASE with -modfile=istio-RELEASE.mod
// (+ .sum), which pins the same istio.io/istio as src/interop/istio/istio-RELEASE.mod. This file
// only marks the module root.
module signet.test/e2e/istio

go 1.26.0
