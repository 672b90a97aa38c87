#!/usr/bin/env bash
# Prints the path of kubectl, built with kube-apiserver by .ci/tools/kubernetes.sh (cached):
# the real kubectl of the test API server's release, which deploy/install.sh runs in the tests.
exec bash "$(dirname "$0")/kubernetes.sh" kubectl
