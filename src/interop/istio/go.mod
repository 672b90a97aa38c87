// Istio interop peer: a test program, never part of Signet. It is built once per Istio release
// by .ci/tools/istio-interop.sh RELEASE with -modfile=istio-RELEASE.mod (and istio-RELEASE.sum);
// this file only marks the module root. By hand:
//   go build -modfile=istio-1.31.mod -o /tmp/istio-interop .
module signet.test/interop/istio

go 1.26.0
