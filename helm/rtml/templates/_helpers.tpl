{{/*
The chart's name, or nameOverride.
*/}}
{{- define "rtml.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The name of the FlinkDeployment and of everything else the chart creates: fullnameOverride, or
<release>-<name>, or the release name when it already contains the chart's name. At most 45
characters: the operator derives longer names (services, ConfigMaps) from it.
*/}}
{{- define "rtml.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 45 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 45 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "rtml.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every resource.
*/}}
{{- define "rtml.labels" -}}
helm.sh/chart: {{ include "rtml.chart" . }}
{{ include "rtml.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/*
Labels that select this release's pods (the PodMonitor uses them).
*/}}
{{- define "rtml.selectorLabels" -}}
app.kubernetes.io/name: {{ include "rtml.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The durable base URI, without a trailing slash.
*/}}
{{- define "rtml.stateUri" -}}
{{- required "state.uri must be set: durable storage for checkpoints, savepoints and HA" .Values.state.uri | trimSuffix "/" }}
{{- end }}

{{/*
The Flink configuration: conf/config.yaml of this chart (flink-conf/cluster/config.yaml), then
what the values decide (storage, HA, slots, metrics port), then .Values.flinkConfiguration. The
operator's CRD takes a map of strings, so every value is rendered as a string, keys sorted.
*/}}
{{- define "rtml.flinkConfiguration" -}}
{{- $conf := .Files.Get "conf/config.yaml" | fromYaml }}
{{- if or (not $conf) (hasKey $conf "Error") }}
{{- fail (printf "conf/config.yaml is missing or not YAML: %v" (get ($conf | default dict) "Error")) }}
{{- end }}
{{- $state := include "rtml.stateUri" . }}
{{- $_ := set $conf "execution.checkpointing.dir" (printf "%s/checkpoints" $state) }}
{{- $_ = set $conf "execution.checkpointing.savepoint-dir" (printf "%s/savepoints" $state) }}
{{- if .Values.highAvailability.enabled }}
{{- $_ = set $conf "high-availability.type" "kubernetes" }}
{{- $_ = set $conf "high-availability.storageDir" (printf "%s/ha" $state) }}
{{- else }}
{{- $_ = set $conf "high-availability.type" "NONE" }}
{{- $_ = unset $conf "high-availability.storageDir" }}
{{- end }}
{{- $_ = set $conf "taskmanager.numberOfTaskSlots" .Values.taskManager.slots }}
{{- $_ = set $conf "metrics.reporter.prom.port" .Values.metrics.port }}
{{- range $key, $value := .Values.flinkConfiguration }}
{{- $_ = set $conf $key $value }}
{{- end }}
{{- range $key := keys $conf | sortAlpha }}
{{ $key }}: {{ get $conf $key | toString | quote }}
{{- end }}
{{- end }}

{{/*
The job's arguments: every option as two arguments, -D and key=value.
*/}}
{{- define "rtml.jobArgs" -}}
{{- $fullname := include "rtml.fullname" . }}
{{- $options := dict
  "kafka.bootstrap-servers" (required "kafka.bootstrapServers must be set" .Values.kafka.bootstrapServers)
  "kafka.group-id" (default $fullname .Values.kafka.groupId)
  "kafka.transactional-id-prefix" (default $fullname .Values.kafka.transactionalIdPrefix)
  "kafka.topics.events" .Values.kafka.topics.events
  "kafka.topics.predictions" .Values.kafka.topics.predictions
  "kafka.topics.dead-letters" .Values.kafka.topics.deadLetters
  "redis.uri" (required "redis.uri must be set" .Values.redis.uri)
  "redis.key-prefix" .Values.redis.keyPrefix
  "model.repository" .Values.model.path
}}
{{- with .Values.model.name }}
{{- $_ := set $options "model.name" (toString .) }}
{{- end }}
{{- with .Values.model.version }}
{{- $_ := set $options "model.version" (toString .) }}
{{- end }}
{{- with .Values.kafka.securityProtocol }}
{{- $_ := set $options "kafka.security.protocol" . }}
{{- end }}
{{- with .Values.kafka.saslMechanism }}
{{- $_ := set $options "kafka.sasl.mechanism" . }}
{{- end }}
{{- /* Secrets reach the job as references to the environment variables rtml.env sets. */}}
{{- if .Values.kafka.credentials.existingSecret }}
{{- $_ := set $options "kafka.sasl.username" "env:RTML_KAFKA_SASL_USERNAME" }}
{{- $_ := set $options "kafka.sasl.password" "env:RTML_KAFKA_SASL_PASSWORD" }}
{{- end }}
{{- if .Values.redis.credentials.existingSecret }}
{{- $_ := set $options "redis.password" "env:RTML_REDIS_PASSWORD" }}
{{- end }}
{{- range $key, $value := .Values.job.options }}
{{- $_ := set $options $key $value }}
{{- end }}
{{- range $key := keys $options | sortAlpha }}
- "-D"
- {{ printf "%s=%s" $key (get $options $key | toString) | quote }}
{{- end }}
{{- range .Values.job.extraArgs }}
- {{ . | toString | quote }}
{{- end }}
{{- end }}

{{/*
Environment variables from the Kafka and Redis credential Secrets, then .Values.env.
*/}}
{{- define "rtml.env" -}}
{{- range $credentials := list .Values.kafka.credentials .Values.redis.credentials }}
{{- if $credentials.existingSecret }}
{{- range $name := keys $credentials.env | sortAlpha }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $credentials.existingSecret }}
      key: {{ get $credentials.env $name }}
{{- end }}
{{- end }}
{{- end }}
{{- with .Values.env }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
The state volume's claim: the existing one, or the one the chart creates.
*/}}
{{- define "rtml.stateClaim" -}}
{{- default (printf "%s-state" (include "rtml.fullname" .)) .Values.state.volume.existingClaim }}
{{- end }}
