import { X509Certificate } from 'node:crypto';
import { checkServerIdentity, connect, type PeerCertificate } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { teamOrganization } from '../testing/fixtures';
import { json } from '../testing/http';
import { useProvisioning } from '../testing/provisioning';

/** The certificate a TLS server presents for `servername` at `url`, as a client sees it (no verification). */
function servedCertificate(url: string, servername: string): Promise<PeerCertificate> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: u.hostname, port: Number(u.port || 443), servername, rejectUnauthorized: false },
      () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

function exposedWorkspaces(mode: string, env: () => Record<string, string> = () => ({})) {
  const p = useProvisioning(env);
  const running = async () => {
    const team = await teamOrganization(p.platform());
    const res = await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
      method: 'POST',
      body: JSON.stringify({ name: `${mode}-${Date.now()}`, planId: 'standard' }),
    });
    expect(res.status).toBe(202);
    const { workspaceId } = await json(res);
    expect(await p.converge(workspaceId)).toBe('running');
    const kubeconfig = async (token: string) => {
      const r = await p.api(
        token,
        `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}/kubeconfig?mode=token`,
      );
      expect(r.status).toBe(200);
      return r.text();
    };
    const ws = await json(
      await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}`),
    );
    return { team, workspaceId, endpoint: ws.endpoint as string, kubeconfig };
  };
  /**
   * kube-apiserver loads the issuer's discovery after it starts, and the edge picks up new routes on its next
   * pass: the first call may come early. Polls until it answers, and returns the last answer either way.
   */
  const whoami = async (kubeconfig: string) => {
    for (let i = 0; ; i++) {
      const r = await p.kubectlWith(
        kubeconfig,
        'auth',
        'whoami',
        '-o',
        'jsonpath={.status.userInfo.username}',
      );
      if (r.code === 0 || i >= 100) return r;
      await new Promise((res) => setTimeout(res, 300));
    }
  };
  return { ...p, running, whoami };
}

describe('vCluster API servers reached from outside the host cluster', () => {
  describe('through Traefik (IngressRouteTCP, HostSNI, TLS passthrough)', () => {
    const p = exposedWorkspaces('traefik');

    it('serves kubectl at {wsId}.{domain} with the downloaded kubeconfig as is, TLS verified', async () => {
      const { team, workspaceId, endpoint, kubeconfig } = await p.running();
      expect(endpoint).toBe(`https://${workspaceId}.vcluster.localhost:${p.kube.ingressPort}`);
      const kc = await kubeconfig(team.admin.token);
      expect(kc).toContain(`server: ${endpoint}`);
      expect(kc).not.toMatch(/\.svc|insecure-skip-tls-verify/);
      const me = await p.whoami(kc);
      expect(me.stdout).toBe(`hexabase:${team.admin.userId}`);
    });

    it('presents a certificate that does not verify for another workspace host name', async () => {
      const a = await p.running();
      const b = await p.running();
      const hostA = new URL(a.endpoint).hostname;
      const hostB = new URL(b.endpoint).hostname;
      const cert = await servedCertificate(a.endpoint, hostA);
      expect(checkServerIdentity(hostA, cert)).toBeUndefined();
      expect(checkServerIdentity(hostB, cert)).toBeInstanceOf(Error);
      // And kubectl refuses workspace B's name with A's kubeconfig: the CA of A does not sign B's server.
      const kc = (await a.kubeconfig(a.team.admin.token)).replace(a.endpoint, b.endpoint);
      const r = await p.kubectlWith(kc, 'get', 'namespaces');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/x509|certificate/);
    });

    it('lets a workspace viewer list pods but not read secrets', async () => {
      const { team, workspaceId, kubeconfig } = await p.running();
      const add = await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/members`, {
        method: 'POST',
        body: JSON.stringify({ userId: team.member.userId }), // joins WSUsers → hexabase:workspace-viewer
      });
      expect(add.status).toBe(201);
      expect(await p.converge(workspaceId)).toBe('running');
      const kc = await kubeconfig(team.member.token);
      expect((await p.whoami(kc)).code).toBe(0);
      const pods = await p.kubectlWith(kc, 'get', 'pods', '-A');
      expect(pods.code).toBe(0);
      const secrets = await p.kubectlWith(kc, 'get', 'secrets', '-n', 'default');
      expect(secrets.code).not.toBe(0);
      expect(secrets.stderr).toMatch(/Forbidden.*cannot list resource "secrets"/);
      const exec = await p.kubectlWith(kc, 'auth', 'can-i', 'create', 'pods/exec', '-n', 'default');
      expect(exec.stdout.trim()).toBe('no');
    });
  });

  describe('through ingress-nginx (the chart Ingress with ssl-passthrough)', () => {
    const p = exposedWorkspaces('nginx', () => ({ HEXABASE_VCLUSTER_INGRESS: 'nginx' }));

    it('serves kubectl at the public host name', async () => {
      const { team, workspaceId, endpoint, kubeconfig } = await p.running();
      expect(endpoint).toBe(`https://${workspaceId}.vcluster.localhost:${p.kube.ingressPort}`);
      expect((await p.whoami(await kubeconfig(team.admin.token))).stdout).toBe(
        `hexabase:${team.admin.userId}`,
      );
    });
  });

  describe('through a LoadBalancer Service', () => {
    const p = exposedWorkspaces('lb', () => ({ HEXABASE_VCLUSTER_EXPOSE: 'loadbalancer' }));

    it('records the load balancer address as the endpoint, in the certificate', async () => {
      const { team, endpoint, kubeconfig } = await p.running();
      expect(endpoint).toMatch(/^https:\/\/127\.\d+\.\d+\.\d+$/);
      const cert = new X509Certificate((await servedCertificate(endpoint, 'x')).raw);
      expect(cert.subjectAltName).toContain(`IP Address:${new URL(endpoint).hostname}`);
      expect((await p.whoami(await kubeconfig(team.admin.token))).stdout).toBe(
        `hexabase:${team.admin.userId}`,
      );
    });
  });

  describe('through a NodePort Service', () => {
    const p = exposedWorkspaces('np', () => ({
      HEXABASE_VCLUSTER_EXPOSE: 'nodeport',
      HEXABASE_VCLUSTER_NODE_ADDRESS: '127.0.0.1',
    }));

    it('records https://{node address}:{node port} as the endpoint', async () => {
      const { team, endpoint, kubeconfig } = await p.running();
      expect(endpoint).toMatch(/^https:\/\/127\.0\.0\.1:(3\d{4})$/);
      expect((await p.whoami(await kubeconfig(team.admin.token))).stdout).toBe(
        `hexabase:${team.admin.userId}`,
      );
    });
  });
});
