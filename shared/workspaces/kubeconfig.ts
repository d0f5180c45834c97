import { eq } from 'drizzle-orm';
import { stringify } from 'yaml';
import type { AuthContext } from '../auth/context';
import { issueWorkspaceIdToken } from '../auth/id-tokens';
import { workspaces } from '../db/schema';
import { ConflictError } from '../errors';
import type { Actor } from '../orgs/context';

export type KubeconfigMode = 'exec' | 'token';

/** Where tokens come from, the URL a CLI reaches Hexabase at, and how exec mode invokes that CLI. */
export type KubeconfigContext = {
  auth: AuthContext;
  publicUrl: string;
  ttlSeconds: number;
  cli: { command: string; caFile?: string };
};

/**
 * A kubeconfig for a workspace member: the vCluster endpoint and CA, and either the `hxb` exec credential plugin
 * (tokens fetched and refreshed on demand) or an embedded short-lived ID token. Never the admin credential.
 */
export async function workspaceKubeconfig(
  ctx: KubeconfigContext,
  actor: Actor,
  input: { wsId: string; mode: KubeconfigMode },
): Promise<string> {
  const [ws] = await ctx.auth.db.select().from(workspaces).where(eq(workspaces.id, input.wsId));
  if (ws?.status === 'SUSPENDED')
    throw new ConflictError(
      'The workspace is suspended for non-payment: its vCluster is scaled to zero until the invoice is paid.',
      'WORKSPACE_NOT_READY',
    );
  if (!ws?.endpoint || (ws.status !== 'RUNNING' && ws.status !== 'UPDATING')) {
    throw new ConflictError(
      'The workspace is not running yet; its kubeconfig is available once it is.',
      'WORKSPACE_NOT_READY',
    );
  }
  const name = `hexabase-${ws.name.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}-${ws.id}`;
  const user =
    input.mode === 'token'
      ? {
          token: (
            await issueWorkspaceIdToken(ctx.auth, {
              wsId: ws.id,
              userId: actor.userId,
              ttlSeconds: ctx.ttlSeconds,
              publicUrl: ctx.publicUrl,
            })
          ).token,
        }
      : {
          exec: {
            apiVersion: 'client.authentication.k8s.io/v1',
            command: ctx.cli.command,
            args: ['kubectl-credential', ws.id],
            env: [
              { name: 'HEXABASE_API_URL', value: ctx.publicUrl },
              // Node's fetch trusts only its own CA list; a private issuer CA has to be named to it.
              ...(ctx.cli.caFile ? [{ name: 'NODE_EXTRA_CA_CERTS', value: ctx.cli.caFile }] : []),
            ],
            interactiveMode: 'IfAvailable',
            provideClusterInfo: false,
            // The package is not published: the CLI comes from a Hexabase checkout (README, "kubectl with Hexabase tokens").
            installHint: `This kubeconfig gets its credentials from the Hexabase CLI, ${ctx.cli.command}. Install it from a Hexabase checkout with "npm install && npm link" (which puts hxb on your PATH), then sign in: hxb login --url ${ctx.publicUrl}`,
          },
        };
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name,
        cluster: {
          server: ws.endpoint,
          ...(ws.endpointCa
            ? { 'certificate-authority-data': Buffer.from(ws.endpointCa).toString('base64') }
            : {}),
        },
      },
    ],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  });
}
