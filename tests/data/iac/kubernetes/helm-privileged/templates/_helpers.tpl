{{- define "agent.name" -}}
{{ .Release.Name }}-{{ .Chart.Name }}
{{- end -}}
