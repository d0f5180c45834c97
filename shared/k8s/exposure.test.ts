import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { describe, expect, it } from 'vitest';
import { readVClusterValues } from '../testing/kube/vcluster-values';
import { type Exposure, exposureObjects, exposureValues, publicEndpoint } from './exposure';

const wsId = 'ws-abcdefghijklmnopqrst';
const ws = { id: wsId, namespace: `hxb-${wsId}`, labels: { 'app.kubernetes.io/managed-by': 'hexabase' } };
const traefik: Exposure = {
  mode: 'ingress',
  controller: 'traefik',
  domain: 'vc.example.com',
  port: 443,
  namespace: 'kube-system',
};
const nginx: Exposure = { ...traefik, controller: 'nginx', namespace: 'ingress-nginx' };
/** The exposure's values on top of a minimal valid k8s-distro release. */
const values = (e: Exposure) => {
  const v = exposureValues(wsId, e) as { controlPlane: Record<string, unknown> };
  return { controlPlane: { distro: { k8s: { enabled: true } }, ...v.controlPlane } };
};

describe('exposure of vCluster API servers', () => {
  it('puts the public host into the certificate and routes it by SNI through Traefik', () => {
    const read = readVClusterValues(values(traefik));
    expect(read.extraSANs).toEqual([`${wsId}.vc.example.com`]);
    expect(read.ingress).toBeUndefined();
    expect(read.serviceType).toBe('ClusterIP');
    const route = exposureObjects(ws, traefik).find((o) => o.kind === 'IngressRouteTCP')!;
    expect(route.spec).toEqual({
      entryPoints: ['websecure'],
      routes: [{ match: `HostSNI(\`${wsId}.vc.example.com\`)`, services: [{ name: 'vcluster', port: 443 }] }],
      tls: { passthrough: true },
    });
  });

  it('enables the chart Ingress with ssl-passthrough for ingress-nginx, and no Traefik route', () => {
    const read = readVClusterValues(values(nginx));
    expect(read.ingress).toMatchObject({
      host: `${wsId}.vc.example.com`,
      annotations: {
        'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
        'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
      },
      spec: { ingressClassName: 'nginx' },
    });
    expect(read.extraSANs).toEqual([`${wsId}.vc.example.com`]);
    expect(exposureObjects(ws, nginx).map((o) => o.kind)).toEqual(['NetworkPolicy']);
  });

  it('admits only the ingress controller namespace to the API server port', () => {
    const policy = exposureObjects(ws, nginx)[0]!;
    expect(() => new NetworkPolicy(policy as never).validate()).not.toThrow();
    expect(policy.spec).toMatchObject({
      podSelector: { matchLabels: { app: 'vcluster', release: 'vcluster' } },
      ingress: [
        {
          from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } }],
          ports: [{ protocol: 'TCP', port: 8443 }],
        },
      ],
    });
    const lb = exposureObjects(ws, { mode: 'loadbalancer' })[0]!;
    expect(() => new NetworkPolicy(lb as never).validate()).not.toThrow();
    expect((lb.spec as { ingress: { from: unknown[] }[] }).ingress[0]!.from).toEqual([
      { ipBlock: { cidr: '0.0.0.0/0' } },
      { ipBlock: { cidr: '::/0' } },
    ]);
  });

  it('asks for a LoadBalancer or NodePort Service, with the node address in the certificate', () => {
    expect(readVClusterValues(values({ mode: 'loadbalancer' })).serviceType).toBe('LoadBalancer');
    const np = readVClusterValues(values({ mode: 'nodeport', nodeAddress: '203.0.113.7' }));
    expect(np.serviceType).toBe('NodePort');
    expect(np.extraSANs).toEqual(['203.0.113.7']);
  });

  it('names the public URL, never a .svc address; none until an address or port is assigned', () => {
    expect(publicEndpoint(wsId, traefik)).toBe(`https://${wsId}.vc.example.com`);
    expect(publicEndpoint(wsId, { ...traefik, port: 9443 })).toBe(`https://${wsId}.vc.example.com:9443`);
    expect(publicEndpoint(wsId, { mode: 'loadbalancer' }, {})).toBeUndefined();
    expect(
      publicEndpoint(
        wsId,
        { mode: 'loadbalancer' },
        { status: { loadBalancer: { ingress: [{ ip: '2001:db8::1' }] } } },
      ),
    ).toBe('https://[2001:db8::1]');
    expect(
      publicEndpoint(
        wsId,
        { mode: 'loadbalancer' },
        { status: { loadBalancer: { ingress: [{ hostname: 'lb.example.net', ip: '198.51.100.1' }] } } },
      ),
    ).toBe('https://lb.example.net');
    const np: Exposure = { mode: 'nodeport', nodeAddress: 'nodes.example.com' };
    expect(publicEndpoint(wsId, np, { spec: { ports: [{ name: 'https', port: 443 }] } })).toBeUndefined();
    expect(
      publicEndpoint(wsId, np, { spec: { ports: [{ name: 'https', port: 443, nodePort: 31443 }] } }),
    ).toBe('https://nodes.example.com:31443');
  });

  it('rejects toleration specs vCluster would reject', async () => {
    const { parseToleration, InvalidValuesError } = await import('../testing/kube/vcluster-values');
    expect(parseToleration('hexabase.ai/dedicated=ws-1:NoSchedule')).toEqual({
      key: 'hexabase.ai/dedicated',
      value: 'ws-1',
      effect: 'NoSchedule',
    });
    for (const bad of ['a=b=c', 'a:b:c', 'k=v:Sometimes', 'k=not valid'])
      expect(() => parseToleration(bad)).toThrow(InvalidValuesError);
  });
});
