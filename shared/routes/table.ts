/**
 * The route table: which function serves which public paths. The local server, the OpenAPI document, the ingress
 * and the Knative manifests are all derived from this list, so adding a function means adding one row here.
 *
 * A prefix matches whole path segments; `*` stands for exactly one segment (an id). The most specific prefix wins:
 * more segments first, then fewer wildcards. The root prefix `/` (the web console) has no segment: it is the least
 * specific of all, so it gets only the paths no other row claims.
 */
export type FunctionRoute = {
  name: string;
  description: string;
  prefixes: string[];
  /** The function forwards events to the Knative broker: its Service gets K_SINK. */
  brokerSink?: boolean;
  /** Knative scaling hints; the generator fills in defaults. */
  scale?: { min?: number; max?: number };
};

export const routeTable: FunctionRoute[] = [
  { name: 'auth', description: 'Sign-in, sessions and personal access tokens', prefixes: ['/auth'] },
  {
    name: 'organizations',
    description: 'Organizations, members, invitations (and the page of the emailed link) and the audit log',
    prefixes: ['/api/v1/organizations', '/api/v1/invitations', '/invitations'],
  },
  {
    name: 'workspaces',
    description: 'Workspaces (vClusters), tasks, workspace members, groups and cluster-role assignments',
    prefixes: ['/api/v1/organizations/*/workspaces', '/api/v1/workspaces', '/api/v1/tasks'],
  },
  {
    name: 'projects',
    description: 'Projects (namespaces), project roles and role assignments',
    prefixes: ['/api/v1/workspaces/*/projects', '/api/v1/projects'],
  },
  {
    name: 'usage',
    description: "A workspace's resource usage against its quota: latest, series and a live stream",
    prefixes: ['/api/v1/workspaces/*/usage'],
  },
  {
    name: 'billing',
    description: "An organization's billing: status, invoices, Checkout and the Customer Portal (Stripe)",
    prefixes: ['/api/v1/organizations/*/billing'],
  },
  {
    name: 'stripe-webhooks',
    description: "Stripe's webhook: verifies, stores each event once and hands it to the billing worker",
    prefixes: ['/webhooks/stripe'],
  },
  {
    name: 'billing-worker',
    description:
      "Worker: keeps each organization's Stripe subscription in step with its paid workspaces; suspends for non-payment",
    prefixes: [],
  },
  {
    name: 'notifications',
    description: 'Worker: composes and sends requested emails (CloudEvents only, no public paths)',
    prefixes: [],
  },
  {
    name: 'dead-letters',
    description: 'Worker: the Knative dead-letter sink; stores events whose deliveries failed',
    prefixes: [],
  },
  {
    name: 'provisioner',
    description: 'Worker: reconciles workspaces into vClusters on the host cluster',
    prefixes: [],
  },
  {
    name: 'usage-sampler',
    description: "Worker: samples each running workspace's quota usage from its vCluster on the usage tick",
    prefixes: [],
  },
  {
    name: 'key-rotation',
    description:
      'Worker: rotates the token-signing key on the reconcile tick once it is older than the period',
    prefixes: [],
    // Milliseconds of work per tick: no replica needs to wait for it, a cold start only delays one tick.
    scale: { min: 0, max: 2 },
  },
  {
    name: 'relay',
    description: 'Worker: publishes the transactional outbox to NATS JetStream (always on)',
    prefixes: [],
    brokerSink: true,
    scale: { min: 1, max: 3 },
  },
  {
    name: 'oidc',
    description: 'OIDC issuer of every workspace (discovery, keys, token exchange)',
    prefixes: ['/oidc'],
  },
  { name: 'plans', description: 'Public plan catalogue', prefixes: ['/api/v1/plans'] },
  {
    name: 'docs',
    description: 'OpenAPI document and API reference',
    prefixes: ['/api/v1/openapi.json', '/api/v1/docs'],
  },
  {
    name: 'console',
    description:
      'Web console: the single-page app and its assets, at the root (every path no other row claims)',
    prefixes: ['/'],
  },
];

type Compiled = { route: FunctionRoute; segments: string[]; wildcards: number };

function split(path: string): string[] {
  return path.split('/').filter(Boolean);
}

function matches(segments: string[], parts: string[]): boolean {
  if (segments.length > parts.length) return false;
  for (let i = 0; i < segments.length; i++) if (segments[i] !== '*' && segments[i] !== parts[i]) return false;
  return true;
}

export function compileRouteTable(table: FunctionRoute[]) {
  const compiled: Compiled[] = table
    .flatMap((route) =>
      route.prefixes.map((p) => ({
        route,
        segments: split(p),
        wildcards: split(p).filter((s) => s === '*').length,
      })),
    )
    .sort((a, b) => b.segments.length - a.segments.length || a.wildcards - b.wildcards);
  // Made once, in the same order: a path only tries the prefixes whose first segment can match its own.
  const anyFirst = (c: Compiled) => c.segments.length === 0 || c.segments[0] === '*';
  const fallback = compiled.filter(anyFirst);
  const byFirst = new Map<string, Compiled[]>();
  for (const { segments } of compiled) {
    const first = segments[0];
    if (first !== undefined && first !== '*' && !byFirst.has(first))
      byFirst.set(
        first,
        compiled.filter((c) => anyFirst(c) || c.segments[0] === first),
      );
  }
  return (path: string): FunctionRoute | undefined => {
    const parts = split(path);
    for (const c of byFirst.get(parts[0] ?? '') ?? fallback) if (matches(c.segments, parts)) return c.route;
    return undefined;
  };
}

/** The path of a serialized request URL (`scheme://authority/path?query`), as `new URL(url).pathname` has it. */
export function urlPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start === -1) return '/';
  let end = url.length;
  for (let i = start; i < url.length; i++) {
    const ch = url.charCodeAt(i);
    if (ch === 63 /* ? */ || ch === 35 /* # */) {
      end = i;
      break;
    }
  }
  return url.slice(start, end);
}

export const matchFunction = compileRouteTable(routeTable);
