import { connect, createServer, type Server, type Socket } from 'node:net';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { HostsFile } from './hosts-file';
import { serverNameOf } from './sni';

/**
 * Stands in for the host cluster's network edge, because no pods or kube-proxy run here: an ingress controller with
 * TLS passthrough (ingress-nginx `ssl-passthrough` Ingresses and Traefik `IngressRouteTCP`s with `HostSNI`, routed by
 * the ClientHello's server name without terminating TLS), node ports on 127.0.0.1, and load balancer addresses on
 * 127.x loopback addresses (what K3s's ServiceLB does with node addresses). Backends are Services that the
 * vCluster stand-in resolves to its virtual clusters. Route hosts go into /etc/hosts (the operator's wildcard DNS).
 */
export type Backend = { host: string; port: number };
export type NetworkStandIn = {
  ingressPort: number;
  /** Gives a LoadBalancer Service an address (its status), as a cloud or ServiceLB would. */
  assignLoadBalancer: (namespace: string, name: string) => Promise<string>;
  stop: () => Promise<void>;
};

type Svc = {
  metadata?: { name?: string; namespace?: string };
  spec?: { type?: string; ports?: { port: number; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
};
type RouteTcp = {
  metadata: { namespace: string };
  spec?: {
    routes?: { match?: string; services?: { name: string; namespace?: string }[] }[];
    tls?: { passthrough?: boolean };
  };
};

function pipe(client: Socket, backend: Backend, head?: Buffer) {
  const upstream = connect(backend.port, backend.host, () => {
    if (head) upstream.write(head);
    client.pipe(upstream).pipe(client);
  });
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  upstream.on('error', close);
  client.on('error', close);
}

const listen = (server: Server, port: number, host: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve((server.address() as { port: number }).port));
  });

export async function startNetworkStandIn(opts: {
  kubeconfig: string;
  backendFor: (namespace: string, service: string) => Backend | undefined;
  hosts: HostsFile;
  ingressPort?: number;
  intervalMs?: number;
}): Promise<NetworkStandIn> {
  const kc = new KubeConfig();
  kc.loadFromString(opts.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  let routes = new Map<string, { namespace: string; service: string }>();

  const ingress = createServer((client) => {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const name = serverNameOf(head);
      if (name === undefined && head.length < 65_536) return;
      client.off('data', onData);
      const route = name ? routes.get(name) : undefined;
      const backend = route && opts.backendFor(route.namespace, route.service);
      if (!backend) return void client.destroy();
      client.pause();
      pipe(client, backend, head);
      client.resume();
    };
    client.on('data', onData);
    client.on('error', () => client.destroy());
  });
  const ingressPort = await listen(ingress, opts.ingressPort ?? 0, '127.0.0.1');

  const listeners = new Map<string, Server>();
  const ensureListener = async (
    key: string,
    host: string,
    port: number,
    backend: () => Backend | undefined,
  ) => {
    if (listeners.has(key)) return;
    const server = createServer((client) => {
      const b = backend();
      if (b) pipe(client, b);
      else client.destroy();
    });
    listeners.set(key, server);
    await listen(server, port, host).catch((err) => {
      listeners.delete(key);
      console.warn(`network stand-in: cannot listen on ${host}:${port}: ${(err as Error).message}`);
    });
  };

  const passthroughRoutes = async () => {
    const next = new Map<string, { namespace: string; service: string }>();
    for (const i of (await net.listIngressForAllNamespaces()).items) {
      const nginx =
        i.spec?.ingressClassName === 'nginx' &&
        i.metadata?.annotations?.['nginx.ingress.kubernetes.io/ssl-passthrough'] === 'true';
      if (!nginx) continue;
      for (const rule of i.spec?.rules ?? []) {
        const service = rule.http?.paths[0]?.backend.service?.name;
        if (rule.host && service) next.set(rule.host, { namespace: i.metadata!.namespace!, service });
      }
    }
    const tcp = (await custom
      .listClusterCustomObject({ group: 'traefik.io', version: 'v1alpha1', plural: 'ingressroutetcps' })
      .catch((err) => {
        if (err instanceof ApiException && err.code === 404) return { items: [] };
        throw err;
      })) as { items: RouteTcp[] };
    for (const r of tcp.items) {
      if (!r.spec?.tls?.passthrough) continue;
      for (const route of r.spec.routes ?? []) {
        const target = route.services?.[0];
        if (!target) continue;
        for (const m of (route.match ?? '').matchAll(/HostSNI\(`([^`]+)`\)/g))
          next.set(m[1]!.toLowerCase(), {
            namespace: target.namespace ?? r.metadata.namespace,
            service: target.name,
          });
      }
    }
    return next;
  };

  const tick = async () => {
    routes = await passthroughRoutes();
    opts.hosts.set(routes.keys());
    const wanted = new Set<string>();
    for (const s of (await core.listServiceForAllNamespaces()).items as Svc[]) {
      const ns = s.metadata?.namespace ?? '';
      const name = s.metadata?.name ?? '';
      const backend = () => opts.backendFor(ns, name);
      // An address, once published, is served even while no backend is up (the connection is then reset), as
      // a cloud load balancer does: closing it would refuse a client that read the address a moment later.
      const ip = s.spec?.type === 'LoadBalancer' ? s.status?.loadBalancer?.ingress?.[0]?.ip : undefined;
      if (!backend() && !ip) continue;
      for (const p of s.spec?.ports ?? []) {
        if (p.nodePort && backend()) {
          wanted.add(`node:${p.nodePort}`);
          await ensureListener(`node:${p.nodePort}`, '127.0.0.1', p.nodePort, backend);
        }
        if (ip) {
          wanted.add(`lb:${ip}:${p.port}`);
          await ensureListener(`lb:${ip}:${p.port}`, ip, p.port, backend);
        }
      }
    }
    for (const [key, server] of listeners)
      if (!wanted.has(key)) {
        server.close();
        listeners.delete(key);
      }
  };

  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    busy = busy.then(() =>
      stopped
        ? undefined
        : tick().catch((err) => {
            if (!stopped) console.warn(`network stand-in: ${(err as Error).message}`);
          }),
    );
  }, opts.intervalMs ?? 300);

  // Loopback addresses per process, so that two runs on one machine do not hand out the same one.
  const subnet = `127.${20 + (process.pid % 200)}`;
  let next = 1;
  return {
    ingressPort,
    // Like a cloud load balancer that is serving by the time its address is published: the listeners open first,
    // and in the same queue as the ticks, so that none closes them in between.
    assignLoadBalancer: (namespace, name) => {
      const assigned = busy.then(async () => {
        const svc = (await core.readNamespacedService({ name, namespace })) as Svc;
        const existing = svc.status?.loadBalancer?.ingress?.[0]?.ip;
        if (existing) return existing;
        const ip = `${subnet}.${Math.floor(next / 250)}.${(next % 250) + 1}`;
        next++;
        for (const p of svc.spec?.ports ?? [])
          await ensureListener(`lb:${ip}:${p.port}`, ip, p.port, () => opts.backendFor(namespace, name));
        await core.patchNamespacedServiceStatus(
          { name, namespace, body: { status: { loadBalancer: { ingress: [{ ip }] } } } },
          setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
        );
        return ip;
      });
      busy = assigned.then(
        () => undefined,
        () => undefined,
      );
      return assigned;
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await busy;
      for (const s of listeners.values()) s.close();
      listeners.clear();
      ingress.close();
      opts.hosts.clear();
    },
  };
}
