#!/usr/bin/env bash
# Prints the path of kube-apiserver, built with kubectl by .ci/tools/kubernetes.sh (cached).
exec bash "$(dirname "$0")/kubernetes.sh" kube-apiserver
