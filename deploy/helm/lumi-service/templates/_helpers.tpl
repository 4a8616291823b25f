{{/*
The service's name (app.kubernetes.io/name).
*/}}
{{- define "lumi-service.name" -}}
{{- .Values.serviceName | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The name of every object: fullnameOverride, else the release name when it already contains the
service name, else <release>-<serviceName>. Kept to 57 characters so that "-ops" still fits.
*/}}
{{- define "lumi-service.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 57 | trimSuffix "-" -}}
{{- else if contains .Values.serviceName .Release.Name -}}
{{- .Release.Name | trunc 57 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Values.serviceName | trunc 57 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/*
helm.sh/chart: <chart>-<version>.
*/}}
{{- define "lumi-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
The image tag: image.tag, else the chart's appVersion.
*/}}
{{- define "lumi-service.tag" -}}
{{- .Values.image.tag | default .Chart.AppVersion -}}
{{- end -}}

{{/*
The image reference. A digest wins over the tag: repository@sha256:...
*/}}
{{- define "lumi-service.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (include "lumi-service.tag" .) -}}
{{- end -}}
{{- end -}}

{{/*
Selector labels: name and instance only, so that they never change between releases.
*/}}
{{- define "lumi-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "lumi-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/*
The standard labels of every object. Call with (dict "root" $ "component" "server").
*/}}
{{- define "lumi-service.labels" -}}
{{ include "lumi-service.selectorLabels" .root }}
app.kubernetes.io/version: {{ include "lumi-service.tag" .root | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: {{ .root.Values.partOf }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "lumi-service.chart" .root }}
{{- end -}}

{{/*
The ServiceAccount the pods run as.
*/}}
{{- define "lumi-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "lumi-service.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/*
The most pods the release runs at its smallest: the HPA's minReplicas, else replicas.
*/}}
{{- define "lumi-service.minReplicas" -}}
{{- if .Values.autoscaling.enabled -}}
{{- .Values.autoscaling.minReplicas | int -}}
{{- else -}}
{{- .Values.replicas | int -}}
{{- end -}}
{{- end -}}

{{/*
The least terminationGracePeriodSeconds that covers a graceful shutdown:
preStop sleep + ceil((drain delay + shutdown timeout) / 1000) + 5 s.
*/}}
{{- define "lumi-service.minGracePeriod" -}}
{{- $s := .Values.shutdown -}}
{{- $ms := add ($s.drainDelayMs | int) ($s.timeoutMs | int) -}}
{{- add ($s.preStopSleepSeconds | int) (div (add $ms 999) 1000) 5 -}}
{{- end -}}

{{/*
terminationGracePeriodSeconds: the value set, checked against the minimum, or the minimum.
*/}}
{{- define "lumi-service.gracePeriod" -}}
{{- $min := include "lumi-service.minGracePeriod" . | int -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds -}}
{{- $min -}}
{{- else -}}
{{- $set := .Values.terminationGracePeriodSeconds | int -}}
{{- if lt $set $min -}}
{{- fail (printf "terminationGracePeriodSeconds is %d but must be at least %d: shutdown.preStopSleepSeconds (%d) + shutdown.drainDelayMs (%d ms) + shutdown.timeoutMs (%d ms), rounded up to seconds, + 5 s. Raise it or leave it empty to compute it." $set $min (.Values.shutdown.preStopSleepSeconds | int) (.Values.shutdown.drainDelayMs | int) (.Values.shutdown.timeoutMs | int)) -}}
{{- end -}}
{{- $set -}}
{{- end -}}
{{- end -}}

{{/*
Environment keys the chart sets from other values; .Values.env may not set them.
*/}}
{{- define "lumi-service.reservedEnv" -}}
{{- list "HTTP_PORT" "RPC_PORT" "OPS_PORT" "SHUTDOWN_DRAIN_DELAY_MS" "SHUTDOWN_TIMEOUT_MS" "OTEL_SERVICE_NAME" "DEPLOYMENT_ENVIRONMENT" | toJson -}}
{{- end -}}
