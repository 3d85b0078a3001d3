{{/* Labels of every object; `component` names the part of tenet. */}}
{{- define "tenet.labels" -}}
app.kubernetes.io/part-of: tenet
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- with .component }}
app.kubernetes.io/name: tenet-{{ . }}
{{- end }}
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "tenet.selector" -}}
app.kubernetes.io/name: tenet-{{ .component }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{- define "tenet.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Pod security for the Deployments: the image's non-root user, nothing else. */}}
{{- define "tenet.podSecurityNonRoot" -}}
runAsNonRoot: true
runAsUser: 65532
runAsGroup: 65532
fsGroup: 65532
seccompProfile: {type: RuntimeDefault}
{{- end }}

{{- define "tenet.containerSecurityNonRoot" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
capabilities: {drop: ["ALL"]}
{{- end }}

{{/* The image runs TypeScript through tsx, which caches compiled files under /tmp. */}}
{{- define "tenet.tmpVolume" -}}
- name: tmp
  emptyDir: {sizeLimit: 256Mi}
{{- end }}

{{- define "tenet.podMeta" -}}
labels:
  {{- include "tenet.labels" . | nindent 2 }}
{{- with .root.Values.podAnnotations }}
annotations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The database URL: PostgreSQL from a Secret, else SQLite on the console's volume. */}}
{{- define "tenet.databaseEnv" -}}
- name: DATABASE_URL
{{- if .Values.database.url.secretName }}
  valueFrom:
    secretKeyRef: {name: {{ .Values.database.url.secretName | quote }}, key: {{ .Values.database.url.key | quote }}}
{{- else }}
  value: "file:/var/lib/tenet/console.db"
{{- end }}
{{- end }}

{{- /* Who may change allocation state (N-28), as a JSON list: the webhook's --ipam-users and its configurations' matchConditions */ -}}
{{- define "tenet.ipamUsers" -}}
{{- $ns := .Release.Namespace }}
{{- concat (list (printf "system:serviceaccount:%s:tenet-cni" $ns) (printf "system:serviceaccount:%s:tenet-controllers" $ns)) (.Values.webhook.ipamIdentities.extraUsers | default list) | toJson }}
{{- end }}
