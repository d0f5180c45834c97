import { stringify } from 'yaml';

/**
 * Helm templates written from the same builders as the plain manifests: a builder's object is stringified as it
 * is, with markers where the chart substitutes a value, then every literal `{{` the object carries (Prometheus
 * annotations, Kyverno's JMESPath) is escaped so Helm prints it unchanged, and the markers become Helm actions.
 *
 * Markers: `value(expr)` is a string inside a scalar (a name, an image, part of a host name) and keeps the
 * scalar's quoting; `block(expr)` replaces the whole scalar, quotes included, with the action's output, which must
 * be one line of YAML (helpers answer `toJson`: JSON is YAML flow); `lines(expr)` is a mapping key whose line the
 * action's YAML replaces (a field that is there or not, e.g. replicas without an autoscaler), and `items(expr)` a
 * list item the action's YAML list items replace; both are indented where the marker stood.
 */
const MARK = '@@hxb';
type Kind = 'v' | 'b' | 'l' | 'i';
const marker = (kind: Kind, i: number) => `${MARK}${kind}${i}@@`;

export function templateWriter() {
  const exprs: string[] = [];
  const add = (kind: Kind, expr: string) => {
    if (expr.includes('{{') || expr.includes('}}')) throw new Error(`an expression, not an action: ${expr}`);
    exprs.push(expr);
    return marker(kind, exprs.length - 1);
  };
  return {
    /** A string the chart fills in, e.g. `value('.Release.Namespace')`. */
    value: (expr: string) => add('v', expr),
    /** A whole YAML value (object, list, number) the chart computes; typed loosely to fit any field. */
    // biome-ignore lint/suspicious/noExplicitAny: a marker stands for whatever the field holds.
    block: (expr: string): any => add('b', expr),
    /** A key standing for the lines the action writes (or none): `{ [lines(expr)]: null }`. */
    lines: (expr: string) => add('l', expr),
    /** A list item standing for the items the action writes (or none). */
    // biome-ignore lint/suspicious/noExplicitAny: it stands in a list of any item type.
    items: (expr: string): any => add('i', expr),
    /** The objects as one template, optionally inside `{{- if <condition> }}`. */
    render(objects: object[], condition?: string): string {
      const yaml = objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
      const escaped = yaml.replaceAll('{{', '{{ "{{" }}');
      const action = (i: string) => exprs[Number(i)];
      const filled = escaped
        .replace(
          /^( *)(["']?)@@hxbl(\d+)@@\2: null$/gm,
          (_, pad, _q, i) => `${pad}{{- ${action(i)} | nindent ${pad.length} }}`,
        )
        .replace(
          /^( *)- (["']?)@@hxbi(\d+)@@\2$/gm,
          (_, pad, _q, i) => `${pad}{{- ${action(i)} | nindent ${pad.length} }}`,
        )
        .replace(/(["']?)@@hxbb(\d+)@@\1/g, (_, _q, i) => `{{ ${action(i)} }}`)
        .replace(/@@hxbv(\d+)@@/g, (_, i) => `{{ ${action(i)} }}`);
      if (filled.includes(MARK)) throw new Error('a marker was split by the YAML writer');
      return condition ? `{{- if ${condition} }}\n${filled}{{- end }}\n` : filled;
    },
  };
}

export type TemplateWriter = ReturnType<typeof templateWriter>;
