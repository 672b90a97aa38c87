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
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "signet.serviceAccountName" -}}
{{- if and (not .Values.serviceAccount.create) (not .Values.serviceAccount.name) -}}
{{- fail "serviceAccount.name is required when serviceAccount.create is false" -}}
{{- end -}}
{{- default (include "signet.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{/* The leader Lease: derived, so that RBAC can name it. */}}
{{- define "signet.leaseName" -}}
{{- printf "%s-leader" (include "signet.fullname" .) -}}
{{- end -}}

{{/* The trust bundle ConfigMap's name, as Signet will use it. */}}
{{- define "signet.trustBundleName" -}}
{{- .Values.config | default dict | dig "kubernetes" "trust-bundle" "name" "istio-ca-root-cert" -}}
{{- end -}}

{{- define "signet.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end -}}

{{/*
The serving certificate's DNS names: the Service's (the first is the host of Istio's
caAddress), then config.server.dns-names (names remote clusters reach the CA by).
*/}}
{{- define "signet.dnsNames" -}}
{{- $svc := printf "%s.%s.svc" (include "signet.fullname" .) .Release.Namespace -}}
{{- $names := list $svc (printf "%s.%s" $svc .Values.clusterDomain) -}}
{{- range (.Values.config | default dict | dig "server" "dns-names" list) -}}
{{- if not (has . $names) -}}{{- $names = append $names . -}}{{- end -}}
{{- end -}}
{{- $names | toJson -}}
{{- end -}}

{{/*
Keys of `config` the chart derives: setting one fails with what to set instead (rather than
being silently replaced).
*/}}
{{- define "signet.refuseDerived" -}}
{{- $c := .Values.config | default dict -}}
{{- $derived := list
  (list "server.grpc-port" (dig "server" "grpc-port" "" $c) "containerPorts.grpc (and service.grpcPort for the Service)")
  (list "server.admin-port" (dig "server" "admin-port" "" $c) "containerPorts.admin")
  (list "kubernetes.namespace" (dig "kubernetes" "namespace" "" $c) "the release namespace (helm -n)")
  (list "kubernetes.kubeconfig" (dig "kubernetes" "kubeconfig" "" $c) "nothing: Signet uses its pod's service account; other clusters go in config.auth.clusters")
  (list "kubernetes.leader-election.lease-name" (dig "kubernetes" "leader-election" "lease-name" "" $c) "nothing: it is <fullname>-leader, which RBAC names")
  (list "ca.source" (dig "ca" "source" "" $c) "ca.source")
  (list "ca.files.directory" (dig "ca" "files" "directory" "" $c) "ca.files.secretName")
  (list "ca.vault.address" (dig "ca" "vault" "address" "" $c) "ca.vault.address")
  (list "ca.vault.ca-file" (dig "ca" "vault" "ca-file" "" $c) "ca.vault.caBundle")
  (list "ca.vault.auth" (dig "ca" "vault" "auth" "" $c) "ca.vault.auth")
  (list "ca.vault.transit.chain-source" (dig "ca" "vault" "transit" "chain-source" "" $c) "ca.vault.transit.chainSource")
-}}
{{- range $derived -}}
{{- if ne (toString (index . 1)) "" -}}
{{- fail (printf "config.%s is derived by the chart; set %s" (index . 0) (index . 2)) -}}
{{- end -}}
{{- end -}}
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
{{- include "signet.refuseDerived" . -}}
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
{{- else if eq $v.auth.method "token" -}}
{{- if not $v.auth.tokenFile -}}{{- fail "ca.vault.auth.method token needs ca.vault.auth.tokenFile (the file Vault Agent or the CSI provider writes; mount it with extraVolumes and extraVolumeMounts)" -}}{{- end -}}
{{- $_ := set $auth "token-file" $v.auth.tokenFile -}}
{{- else -}}
{{- fail "ca.vault.auth.method must be kubernetes, approle or token" -}}
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
{{- $kube := dict "kubeconfig" "" "namespace" .Release.Namespace "leader-election" (dict "lease-name" (include "signet.leaseName" .)) -}}
{{- $derived := dict "server" $server "ca" $ca "kubernetes" $kube -}}
{{- toYaml (mergeOverwrite $cfg $derived) -}}
{{- end -}}
