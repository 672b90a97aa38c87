{{- define "signet.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "signet.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else if contains (include "signet.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "signet.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "signet.selectorLabels" -}}
app.kubernetes.io/name: {{ include "signet.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "signet.labels" -}}
{{ include "signet.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/component: certificate-authority
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "signet.serviceAccountName" -}}
{{- default (include "signet.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "signet.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/* The Service's DNS names; the first is the host of Istio's caAddress. */}}
{{- define "signet.dnsNames" -}}
{{- $svc := printf "%s.%s.svc" (include "signet.fullname" .) .Release.Namespace -}}
{{- list $svc (printf "%s.%s" $svc .Values.clusterDomain) | toJson -}}
{{- end -}}

{{/* The effective settings of the user's `config`, used to decide which RBAC rules apply. */}}
{{- define "signet.kube" -}}
{{- $k := .Values.config.kubernetes | default dict -}}
{{- $tb := get $k "trust-bundle" | default dict -}}
{{- $ic := get $k "istiod-cert" | default dict -}}
{{- $a := .Values.config.auth | default dict -}}
{{- $reviews := eq (get $a "kind" | default "jwt") "tokenreview" -}}
{{- range (get $a "clusters" | default list) -}}
{{- if eq (get . "kind" | default "") "tokenreview" -}}{{- $reviews = true -}}{{- end -}}
{{- end -}}
{{- dict "trustBundle" (get $tb "enabled" | default false) "istiodCert" (get $ic "enabled" | default false) "istiodNamespace" (get $ic "namespace" | default "istio-system") "tokenReview" $reviews "pods" (gt (len (get $a "trusted-node-accounts" | default list)) 0) | toJson -}}
{{- end -}}

{{/* signet.yaml: the user's `config`, then the CA source, then what the chart derives. */}}
{{- define "signet.config" -}}
{{- $cfg := deepCopy (.Values.config | default dict) -}}
{{- $ca := dict "source" .Values.ca.source -}}
{{- $v := .Values.ca.vault -}}
{{- if eq .Values.ca.source "files" -}}
{{- $_ := set $ca "files" (dict "directory" "/etc/signet/cacerts") -}}
{{- else if hasPrefix "vault-" .Values.ca.source -}}
{{- if not $v.address -}}{{- fail "ca.vault.address is required for a vault-* CA source" -}}{{- end -}}
{{- $auth := dict "method" $v.auth.method -}}
{{- if $v.auth.mount -}}{{- $_ := set $auth "mount" $v.auth.mount -}}{{- end -}}
{{- if eq $v.auth.method "kubernetes" -}}
{{- $_ := set $auth "role" $v.auth.role -}}
{{- $_ := set $auth "jwt-file" "/var/run/secrets/vault/token" -}}
{{- else if eq $v.auth.method "approle" -}}
{{- if or (not $v.auth.roleId) (not $v.auth.secretIdSecret.name) -}}{{- fail "approle needs ca.vault.auth.roleId and ca.vault.auth.secretIdSecret.name" -}}{{- end -}}
{{- $_ := set $auth "role-id" $v.auth.roleId -}}
{{- $_ := set $auth "secret-id-file" (printf "/etc/signet/vault-approle/%s" $v.auth.secretIdSecret.key) -}}
{{- else -}}
{{- fail "ca.vault.auth.method must be kubernetes or approle" -}}
{{- end -}}
{{- $vault := dict "address" $v.address "auth" $auth -}}
{{- if $v.caBundle.name -}}{{- $_ := set $vault "ca-file" (printf "/etc/signet/vault-ca/%s" $v.caBundle.key) -}}{{- end -}}
{{- if eq .Values.ca.source "vault-transit" -}}
{{- $_ := set $vault "transit" (dict "chain-source" $v.transit.chainSource) -}}
{{- if eq $v.transit.chainSource "files" -}}{{- $_ := set $ca "files" (dict "directory" "/etc/signet/cacerts") -}}{{- end -}}
{{- end -}}
{{- $_ := set $ca "vault" $vault -}}
{{- else -}}
{{- fail (printf "ca.source %q: use files, vault-transit, vault-kv or vault-pki" .Values.ca.source) -}}
{{- end -}}
{{- $server := dict "grpc-port" .Values.containerPorts.grpc "admin-port" .Values.containerPorts.admin "dns-names" (include "signet.dnsNames" . | fromJsonArray) -}}
{{- $kube := dict "kubeconfig" "" "namespace" .Release.Namespace "leader-election" (dict "lease-name" (printf "%s-leader" (include "signet.fullname" .))) -}}
{{- $derived := dict "server" $server "ca" $ca "kubernetes" $kube -}}
{{- toYaml (mergeOverwrite $cfg $derived) -}}
{{- end -}}
