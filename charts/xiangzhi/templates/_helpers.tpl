{{/* Shared helpers. Every per-component template ranges over xiangzhi.components. */}}

{{- define "xiangzhi.chart" -}}
{{ .Chart.Name }}-{{ .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The enabled components, each merged over .Values.defaults, as a YAML map name -> spec. */}}
{{- define "xiangzhi.components" -}}
{{- $out := dict -}}
{{- range $name, $c := .Values.components -}}
{{- if $c.enabled -}}
{{- $merged := mustMergeOverwrite (deepCopy $.Values.defaults) (deepCopy $c) -}}
{{- if not (has $merged.role (list "gateway" "service")) -}}
{{- fail (printf "components.%s.role must be gateway or service" $name) -}}
{{- end -}}
{{- $_ := set $out $name $merged -}}
{{- end -}}
{{- end -}}
{{- toYaml $out -}}
{{- end -}}

{{- define "xiangzhi.fullname" -}}
{{- printf "%s-%s" .root.Release.Name .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "xiangzhi.selectorLabels" -}}
app.kubernetes.io/name: {{ .labelName | default .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end -}}

{{- define "xiangzhi.labels" -}}
{{ include "xiangzhi.selectorLabels" . }}
app.kubernetes.io/part-of: xiangzhi
app.kubernetes.io/component: {{ .component | default .c.role }}
app.kubernetes.io/version: {{ include "xiangzhi.tag" .root | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ include "xiangzhi.chart" .root }}
xiangzhi.io/environment: {{ .root.Values.environment }}
{{- end -}}

{{/* Labels the data plane's NetworkPolicies select clients by. */}}
{{- define "xiangzhi.clientLabels" -}}
xiangzhi.io/otel-client: "true"
{{- if .c.database }}
xiangzhi.io/postgres-client: "true"
{{- end }}
{{- if and .c.kafka (ne (.component | default "") "migration") }}
xiangzhi.io/kafka-client: "true"
{{- end }}
{{- end -}}

{{- define "xiangzhi.tag" -}}
{{- $tag := .Values.image.tag | default .Chart.AppVersion | toString -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must be a pinned version, not latest" -}}
{{- end -}}
{{- $tag -}}
{{- end -}}

{{- define "xiangzhi.image" -}}
{{- $img := printf "%s/xiangzhi-%s:%s" .root.Values.image.repository .name (include "xiangzhi.tag" .root) -}}
{{- if .root.Values.image.digest -}}
{{- $img = printf "%s@%s" $img .root.Values.image.digest -}}
{{- end -}}
{{- $img -}}
{{- end -}}

{{- define "xiangzhi.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "xiangzhi.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* OTEL_RESOURCE_ATTRIBUTES: who emitted a span, for the ops team's trace search. */}}
{{- define "xiangzhi.otelResourceAttributes" -}}
{{- printf "service.name=%s,service.namespace=xiangzhi,service.version=%s,deployment.environment=%s,k8s.namespace.name=%s" .name (include "xiangzhi.tag" .root) .root.Values.environment .root.Release.Namespace -}}
{{- end -}}

{{/* Settings every pod of a component reads, as environment variables (non-secret). The names
are the component's settings class fields (the policy check imports it and compares). */}}
{{- define "xiangzhi.settings" -}}
{{- $p := .root.Values.platform -}}
OTEL_EXPORTER_OTLP_ENDPOINT: {{ $p.otel.endpoint | quote }}
OTEL_RESOURCE_ATTRIBUTES: {{ include "xiangzhi.otelResourceAttributes" . | quote }}
JWT_ISSUER: {{ .root.Values.auth.issuer | quote }}
JWT_AUDIENCE: {{ .root.Values.auth.audience | quote }}
{{- with .root.Values.auth.jwksUrl }}
JWKS_URL: {{ . | quote }}
{{- end }}
{{- if eq .c.role "gateway" }}
GATEWAY_HOST: "0.0.0.0"
GATEWAY_PORT: {{ .c.port | quote }}
GATEWAY_SUPERGRAPH_PATH: "/etc/xiangzhi/supergraph.graphql"
{{- else }}
SERVICE_NAME: {{ .name | quote }}
HOST: "0.0.0.0"
PORT: {{ .c.port | quote }}
MIGRATE_ON_START: "false"
{{- end }}
{{- if .c.kafka }}
KAFKA_BOOTSTRAP_SERVERS: {{ printf "%s-kafka-bootstrap:%v" $p.kafka.cluster $p.kafka.port | quote }}
KAFKA_SECURITY_PROTOCOL: "SASL_SSL"
KAFKA_SASL_MECHANISM: "SCRAM-SHA-512"
KAFKA_SASL_USERNAME: {{ printf "%s%s" $p.kafka.userPrefix .name | quote }}
KAFKA_SSL_CAFILE: "/etc/xiangzhi/kafka-ca/ca.crt"
{{- end }}
{{- range $k, $v := .c.settings }}
{{ $k }}: {{ $v | toString | quote }}
{{- end }}
{{- end -}}

{{/* Secrets, by reference only: the chart never holds a credential. */}}
{{- define "xiangzhi.secretEnv" -}}
{{- $p := .root.Values.platform -}}
{{- if .c.database }}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s%s" $p.postgres.secretPrefix .name }}
      key: {{ $p.postgres.uriKey }}
{{- end }}
{{- if and .c.kafka (ne (.component | default "") "migration") }}
- name: KAFKA_SASL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ printf "%s%s" $p.kafka.userPrefix .name }}
      key: password
{{- end }}
{{- end -}}

{{- define "xiangzhi.resources" -}}
{{- if not (and .requests .limits) -}}
{{- fail "every container needs resources.requests and resources.limits" -}}
{{- end -}}
{{- toYaml . -}}
{{- end -}}
