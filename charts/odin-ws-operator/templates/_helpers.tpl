{{/* Chart name, or nameOverride. */}}
{{- define "odin-ws-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the release's objects: fullnameOverride, or release name + chart name (once). */}}
{{- define "odin-ws-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Labels that select the operator pods. */}}
{{- define "odin-ws-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "odin-ws-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object of the chart. */}}
{{- define "odin-ws-operator.labels" -}}
{{ include "odin-ws-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/component: operator
app.kubernetes.io/part-of: odin-ws
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "odin-ws-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "odin-ws-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "odin-ws-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "odin-ws-operator.shardImage" -}}
{{- printf "%s:%s" .Values.shardImage.repository (default .Chart.AppVersion .Values.shardImage.tag) }}
{{- end }}

{{/*
Rules the operator needs in every watched namespace (docs/operator.md, "RBAC"): in a ClusterRole when it
watches all namespaces, else in one Role per watched namespace.
*/}}
{{- define "odin-ws-operator.namespacedRules" -}}
- apiGroups: ["ws.odin.dev"]
  resources: ["wsclusters"]
  verbs: ["get", "list", "watch", "patch", "update"]
- apiGroups: ["ws.odin.dev"]
  resources: ["wsclusters/status"]
  verbs: ["get", "patch", "update"]
- apiGroups: ["ws.odin.dev"]
  resources: ["wsclusters/scale"]
  verbs: ["get", "update"]
- apiGroups: ["ws.odin.dev"]
  resources: ["wsclusters/finalizers"]
  verbs: ["update"]
- apiGroups: ["apps"]
  resources: ["statefulsets", "deployments"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["configmaps", "services"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["get", "list", "watch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get", "create"]
- apiGroups: ["networking.k8s.io"]
  resources: ["networkpolicies"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["events.k8s.io"]
  resources: ["events"]
  verbs: ["create", "patch"]
- apiGroups: ["policy"]
  resources: ["poddisruptionbudgets"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
- apiGroups: ["monitoring.coreos.com"]
  resources: ["servicemonitors"]
  verbs: ["get", "list", "watch", "create", "update", "patch", "delete"]
{{- end }}
