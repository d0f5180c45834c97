{{/*
Helpers the generated templates call (scripts/gen-chart.ts writes the generated-*.yaml files from the same
builders as knative/*.yaml). Helpers that fill a whole field answer one line of JSON, which is YAML.
*/}}

{{- define "hexabase.chart" -}}
{{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The image every function runs: a digest pins it exactly; the tag defaults to the chart's appVersion. */}}
{{- define "hexabase.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end -}}
{{- end }}

{{/* The Secret of settings every function reads: the operator's own, or the one the chart writes from `secrets`. */}}
{{- define "hexabase.secretName" -}}
{{ .Values.existingSecret | default "hexabase-env" }}
{{- end }}

{{- define "hexabase.envFrom" -}}
{{ list (dict "configMapRef" (dict "name" "hexabase-config")) (dict "secretRef" (dict "name" (include "hexabase.secretName" .))) | toJson }}
{{- end }}

{{- define "hexabase.ingressClass" -}}
{{ .Values.ingress.className | default .Values.ingress.controller }}
{{- end }}

{{/* Names of the umbrella's dependency charts' objects (their fullname: the release name, then the chart's). */}}
{{- define "hexabase.dependencyName" -}}
{{- $root := index . 0 -}}{{- $chart := index . 1 -}}
{{- if contains $chart $root.Release.Name -}}{{ $root.Release.Name | trunc 63 }}{{- else -}}{{ printf "%s-%s" $root.Release.Name $chart | trunc 63 | trimSuffix "-" }}{{- end -}}
{{- end }}

{{- define "hexabase.natsUrl" -}}
{{- if .Values.nats.bundled -}}
nats://{{ include "hexabase.dependencyName" (list . "nats") }}.{{ .Release.Namespace }}.svc.cluster.local:4222
{{- else -}}
{{ required "nats.url is required for Knative's NATS channel when nats.bundled is false" .Values.nats.url }}
{{- end -}}
{{- end }}

{{/*
The env every function shares (items of a container's env list): production mode, the public URL, and the
bundled services' URLs, whose passwords the dependency charts keep in their own Secrets ($(VAR) expands a
variable defined above it). These win over the same names in `config` or the Secret: to use your own database,
Redis or NATS, turn its `bundled` off and put its URL in the Secret.
*/}}
{{- define "hexabase.env" -}}
{{- $env := list (dict "name" "NODE_ENV" "value" "production") -}}
{{- if not (hasKey .Values.config "HEXABASE_PUBLIC_URL") -}}
{{- $env = append $env (dict "name" "HEXABASE_PUBLIC_URL" "value" (printf "https://%s" .Values.publicHost)) -}}
{{- end -}}
{{- if .Values.postgresql.bundled -}}
{{- $pg := include "hexabase.dependencyName" (list . "postgresql") -}}
{{- $env = append $env (dict "name" "HEXABASE_POSTGRES_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $pg "key" "password"))) -}}
{{- $env = append $env (dict "name" "DATABASE_URL" "value" (printf "postgres://hexabase:$(HEXABASE_POSTGRES_PASSWORD)@%s.%s.svc.cluster.local:5432/hexabase" $pg .Release.Namespace)) -}}
{{- end -}}
{{- if .Values.redis.bundled -}}
{{- $redis := include "hexabase.dependencyName" (list . "redis") -}}
{{- $env = append $env (dict "name" "HEXABASE_REDIS_PASSWORD" "valueFrom" (dict "secretKeyRef" (dict "name" $redis "key" "redis-password"))) -}}
{{- $env = append $env (dict "name" "REDIS_URL" "value" (printf "redis://:$(HEXABASE_REDIS_PASSWORD)@%s-master.%s.svc.cluster.local:6379" $redis .Release.Namespace)) -}}
{{- end -}}
{{- if .Values.nats.bundled -}}
{{- $env = append $env (dict "name" "NATS_URL" "value" (include "hexabase.natsUrl" .)) -}}
{{- end -}}
{{ toYaml $env }}
{{- end }}

{{/* A function's resources: its own entry under `functions`, else the chart-wide default. */}}
{{- define "hexabase.resources" -}}
{{- $root := index . 0 -}}{{- $fn := get $root.Values.functions (index . 1) | default dict -}}
{{ $fn.resources | default $root.Values.resources | toJson }}
{{- end }}

{{/* minScale / maxScale of a function: its entry under `functions`, else the route table's default. */}}
{{- define "hexabase.scale" -}}
{{- $root := index . 0 -}}{{- $fn := get $root.Values.functions (index . 1) | default dict -}}
{{ if hasKey $fn (index . 2) }}{{ get $fn (index . 2) }}{{ else }}{{ index . 3 }}{{ end }}
{{- end }}

{{/*
A Deployment's replicas, left out when an autoscaler owns them; at least one, since without Knative's activator
nothing wakes a function scaled to zero.
*/}}
{{- define "hexabase.replicas" -}}
{{- $root := index . 0 -}}
{{- if not $root.Values.autoscaling.enabled -}}
replicas: {{ max 1 (include "hexabase.scale" (list $root (index . 1) "minScale" (index . 2)) | atoi) }}
{{- end -}}
{{- end }}

{{/*
Migrations run before the release's objects when all they need exists beforehand (the operator's Secret and
database); the bundled database and the chart's own Secret are created by the install itself, so there they run
right after it, the functions waiting unready for the schema.
*/}}
{{- define "hexabase.migrationsHook" -}}
{{- $hook := .Values.migrations.hook -}}
{{- if eq $hook "auto" -}}
{{- $hook = ternary "pre-install" "post-install" (and (not .Values.postgresql.bundled) (ne .Values.existingSecret "")) -}}
{{- end -}}
{{ $hook }},pre-upgrade
{{- end }}

{{/*
The NOTES, here so that the umbrella chart prints them too (Helm shows only the top chart's NOTES.txt); called
with the platform's values as `.Values`.
*/}}
{{- define "hexabase.notes" -}}
Hexabase {{ .Chart.AppVersion }} is installed in namespace {{ .Release.Namespace }} ({{ if .Values.knative.enabled }}Knative Services{{ else }}Deployments{{ end }}).

1. Wait for the functions to be ready (they stay unready until the migrations have run):
{{- if .Values.knative.enabled }}
     kubectl -n {{ .Release.Namespace }} wait ksvc -l app.kubernetes.io/part-of=hexabase --for=condition=Ready --timeout=10m
{{- else }}
     kubectl -n {{ .Release.Namespace }} rollout status deployment -l app.kubernetes.io/part-of=hexabase --timeout=10m
{{- end }}

2. Point DNS for {{ .Values.publicHost }} at your ingress{{ if .Values.ingress.enabled }} ({{ include "hexabase.ingressClass" . }}, TLS from the Secret {{ .Values.ingress.tlsSecret }}){{ end }},
   and a wildcard record for the workspace domain (HEXABASE_VCLUSTER_DOMAIN) at the ingress's TLS passthrough.

3. Open https://{{ .Values.publicHost }}/ and sign in with a configured provider (HEXABASE_AUTH_PROVIDERS): the
   first sign-in creates your organization, and you are its admin (docs/install.md, "The first admin").

4. kubectl for a workspace: `npx hxb login --url https://{{ .Values.publicHost }}`, then
   `npx hxb kubeconfig <workspace> > ws.kubeconfig`.
{{- if not .Values.flux.vclusterRepository }}

Note: flux.vclusterRepository is off: create the HelmRepository `loft` in flux-system yourself, or every workspace
waits with Flux's "HelmRepository not found".
{{- end }}
{{- if and (not .Values.existingSecret) .Values.secrets }}

Note: the settings Secret was written from values. For production name an existingSecret instead.
{{- end }}
{{- end }}
