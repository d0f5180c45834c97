import { describe, expect, it } from 'vitest';
import { templateWriter } from './helm-template';

describe('Helm templates from builder objects', () => {
  it('fills values inside scalars and replaces whole scalars with one-line actions', () => {
    const w = templateWriter();
    const text = w.render([
      {
        metadata: {
          name: `svc.${w.value('.Release.Namespace')}.local`,
          namespace: w.value('.Release.Namespace'),
        },
        spec: { replicas: w.block('.Values.replicas'), resources: w.block('toJson .Values.resources') },
      },
    ]);
    expect(text).toContain('name: svc.{{ .Release.Namespace }}.local');
    expect(text).toContain('namespace: "{{ .Release.Namespace }}"');
    expect(text).toContain('replicas: {{ .Values.replicas }}');
    expect(text).toContain('resources: {{ toJson .Values.resources }}');
  });

  it("escapes the object's own {{ so Helm prints Prometheus and Kyverno expressions unchanged", () => {
    const w = templateWriter();
    const text = w.render([{ annotations: { description: '{{ $labels.pod }} is down' } }]);
    expect(text).toContain('description: "{{ "{{" }} $labels.pod }} is down"');
  });

  it('writes optional lines and spliced list items at the indentation of their marker', () => {
    const w = templateWriter();
    const text = w.render([
      {
        spec: {
          [w.lines('include "replicas" $')]: null,
          env: [{ name: 'A', value: '1' }, w.items('include "env" $')],
        },
      },
    ]);
    expect(text).toContain('spec:\n  {{- include "replicas" $ | nindent 2 }}\n');
    expect(text).toContain('    - name: A\n      value: "1"\n    {{- include "env" $ | nindent 4 }}\n');
  });

  it('wraps a file in its condition', () => {
    const w = templateWriter();
    expect(w.render([{ kind: 'X' }], '.Values.x')).toBe('{{- if .Values.x }}\nkind: X\n{{- end }}\n');
  });

  it('refuses an action where an expression belongs', () => {
    expect(() => templateWriter().value('{{ .Values.x }}')).toThrow(/expression/);
  });
});
