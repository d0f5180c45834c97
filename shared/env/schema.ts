import * as z from 'zod';
import { providersSchema } from '../auth/providers/config';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'expected true or false' })
  .transform((v) => v === 'true' || v === '1');

const urlWithProtocols = (protocols: string[], label: string) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    { message: `expected a ${label} URL (${protocols.map((p) => `${p}//`).join(' or ')})` },
  );

/**
 * Every setting Hexabase reads. This is the only place that knows variable names;
 * the README's configuration table is checked against it by a test.
 */
const json = <T extends z.ZodTypeAny>(schema: T) =>
  z
    .string()
    .transform((v, ctx) => {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'expected JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/**
 * A URL with `{function}` where a worker function's name goes. Checked with a name filled in, since that is the
 * URL the relay will call.
 */
const functionUrlTemplate = z.string().refine(
  (v) => {
    if (!v.includes('{function}')) return false;
    try {
      return ['http:', 'https:'].includes(new URL(v.replaceAll('{function}', 'provisioner')).protocol);
    } catch {
      return false;
    }
  },
  {
    message:
      'expected an http(s) URL with {function} where the function name goes, e.g. http://hexabase-{function}.hexabase.svc.cluster.local',
  },
);

const key32 = z.string().refine((v) => Buffer.from(v, 'base64').length === 32, {
  message: 'expected 32 bytes, base64-encoded (openssl rand -base64 32)',
});

export const envObject = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Prometheus scrapes /metrics here, never through the public port the ingress exposes (CONTRACT: Operations). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HEXABASE_PUBLIC_URL: urlWithProtocols(['http:', 'https:'], 'http(s)').default('http://localhost:8080'),
  HEXABASE_DATA_DIR: z.string().min(1).default('.hexabase'),
  HEXABASE_MIGRATE_ON_START: bool.default(false),
  HEXABASE_MIGRATIONS_DIR: z.string().min(1).optional(),
  DATABASE_URL: urlWithProtocols(['postgres:', 'postgresql:'], 'PostgreSQL').optional(),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10),
  REDIS_URL: urlWithProtocols(['redis:', 'rediss:'], 'Redis').optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(64).default('hxb:'),
  NATS_URL: urlWithProtocols(['nats:', 'tls:', 'ws:', 'wss:'], 'NATS').optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  HEXABASE_AUTH_PROVIDERS: json(providersSchema).default([]),
  HEXABASE_DEV_LOGIN: bool.default(false),
  HEXABASE_KEY_ENCRYPTION_KEY: key32.optional(),
  HEXABASE_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  HEXABASE_REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(3600)
    .max(90 * 86_400)
    .default(30 * 86_400),
  /** A spent refresh token presented again this soon answers the same successor (racing tabs), not a revocation. */
  HEXABASE_REFRESH_REUSE_GRACE_SECONDS: z.coerce.number().int().min(0).max(60).default(5),
  /**
   * How long a cached session, token, membership or group answer may live (shared/authz); changes invalidate it at
   * once, this only bounds how long one whose invalidation could not reach Redis survives. 0 turns the cache off.
   */
  HEXABASE_AUTHZ_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).max(3600).default(60),
  /** The reconcile tick rotates the active signing key once it is this old; 0 leaves rotation to `npm run keys`. */
  HEXABASE_SIGNING_KEY_ROTATION_DAYS: z.coerce.number().int().min(0).max(365).default(30),
  HEXABASE_TRUST_PROXY: bool.default(false),
  /** A second, HTTPS listener (the OIDC issuer must be HTTPS for vClusters); `npm start` sets these with npm run cluster. */
  HEXABASE_TLS_CERT_FILE: z.string().min(1).optional(),
  HEXABASE_TLS_KEY_FILE: z.string().min(1).optional(),
  HEXABASE_TLS_PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  HEXABASE_WORKSPACE_TOKEN_TTL_SECONDS: z.coerce.number().int().min(300).max(86_400).default(3600),
  /** Host cluster for the provisioner: a kubeconfig file; in a pod, the in-cluster service account instead. */
  KUBECONFIG: z.string().min(1).optional(),
  KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
  HEXABASE_VCLUSTER_CHART_VERSION: z.string().min(1).default('0.30.0'),
  HEXABASE_VCLUSTER_VALUES: json(z.record(z.string(), z.unknown())).default({}),
  /** How users' kubectl reaches vCluster API servers from outside the host cluster (CONTRACT: Endpoint). */
  HEXABASE_VCLUSTER_EXPOSE: z.enum(['ingress', 'loadbalancer', 'nodeport']).default('ingress'),
  /** Workspace hosts are `{wsId}.{domain}`; unset outside production means `vcluster.localhost`. */
  HEXABASE_VCLUSTER_DOMAIN: z
    .string()
    .regex(/^(?=.{1,200}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$/, {
      message: 'expected a lowercase DNS name such as vc.example.com',
    })
    .optional(),
  HEXABASE_VCLUSTER_INGRESS: z.enum(['nginx', 'traefik']).default('traefik'),
  /** Where the ingress controller runs; the only namespace outside the tenant its NetworkPolicy admits. */
  HEXABASE_VCLUSTER_INGRESS_NAMESPACE: z.string().min(1).max(63).optional(),
  /** The port users reach the ingress controller's TLS entry point on (443 unless the operator moved it). */
  HEXABASE_VCLUSTER_INGRESS_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  HEXABASE_VCLUSTER_NODE_ADDRESS: z.string().min(1).max(253).optional(),
  /** The tick skips a settled, unchanged workspace for this long at most; then a full pass repairs drift. */
  HEXABASE_PROVISIONER_RESYNC_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
  /** Each running workspace's usage is sampled this often (CONTRACT: Usage says at least every 30 s). */
  HEXABASE_USAGE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(30).default(30),
  /**
   * OpenTelemetry: traces are exported over OTLP/HTTP to this endpoint when set (`…/v1/traces` is appended, as the
   * OpenTelemetry specification says); unset, spans still give every log line its traceId and go nowhere.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: urlWithProtocols(['http:', 'https:'], 'http(s)').optional(),
  /** PEM file of the CA that signs the public URL's certificate, when vClusters cannot verify it otherwise. */
  HEXABASE_ISSUER_CA_FILE: z.string().min(1).optional(),
  /** What exec-mode kubeconfigs run for credentials: `hxb` on the user's PATH; local runs name the repo's launcher. */
  HEXABASE_CLI_COMMAND: z.string().min(1).default('hxb'),
  /** Path, on users' machines, of a CA the CLI must trust to reach the public URL (private CAs and local runs only). */
  HEXABASE_CLI_CA_FILE: z.string().min(1).optional(),
  /** Outgoing mail (invitations). Without it, messages are written as .eml files under HEXABASE_DATA_DIR/mail. */
  SMTP_URL: z
    .string()
    .refine((v) => /^smtps?:\/\/[^/?#]+/i.test(v) && URL.canParse(v), {
      message:
        'expected an SMTP URL: smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465',
    })
    .optional(),
  /** Default `Hexabase <no-reply@{host of HEXABASE_PUBLIC_URL}>`, filled in by shared/mail. */
  MAIL_FROM: z
    .string()
    .refine((v) => /^(?:[^<>]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/.test(v.trim()), {
      message: 'expected a sender address: no-reply@example.com or "Hexabase <no-reply@example.com>"',
    })
    .optional(),
  /** Billing (CONTRACT: Billing) is on when this is set; without it every plan is free to use. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, {
      message: 'expected a Stripe secret key: sk_test_… or sk_live_…',
    })
    .optional(),
  /** Verifies `Stripe-Signature` on /webhooks/stripe; without it every webhook is refused as badly signed. */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/=]+$/, { message: 'expected a webhook signing secret: whsec_…' })
    .optional(),
  /** Another Stripe API base, such as stripe-mock's (`npm run stripe-mock`); unset means api.stripe.com. */
  STRIPE_API_URL: urlWithProtocols(['http:', 'https:'], 'http(s)').optional(),
  /** How long an organization's subscription may stay past due before its paid workspaces are suspended. */
  HEXABASE_BILLING_GRACE_DAYS: z.coerce.number().int().min(0).max(90).default(7),
  /** Set in the cluster: where the relay forwards events (the Knative broker's ingress URL). */
  K_SINK: urlWithProtocols(['http:', 'https:'], 'http(s)').optional(),
  /**
   * Set in a cluster without Knative (plain Deployments): the relay delivers every event of the trigger table
   * itself, to this URL with `{function}` replaced by the worker's name, and writes the reconcile tick.
   */
  HEXABASE_FUNCTION_URL: functionUrlTemplate.optional(),
});

/** Rules across variables: things that are fine alone but dangerous together. */
export const envSchema = envObject.superRefine((env, ctx) => {
  const tlsPort = env.HEXABASE_TLS_CERT_FILE ? env.HEXABASE_TLS_PORT : undefined;
  if (env.METRICS_PORT !== 0 && (env.METRICS_PORT === env.PORT || env.METRICS_PORT === tlsPort)) {
    ctx.addIssue({
      code: 'custom',
      path: ['METRICS_PORT'],
      message: 'must differ from PORT and HEXABASE_TLS_PORT: metrics are never served on a public port',
    });
  }
  if (env.NODE_ENV === 'production' && env.HEXABASE_DEV_LOGIN) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEXABASE_DEV_LOGIN'],
      message: 'must not be true when NODE_ENV=production',
    });
  }
  if (env.HEXABASE_VCLUSTER_EXPOSE === 'nodeport' && !env.HEXABASE_VCLUSTER_NODE_ADDRESS) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEXABASE_VCLUSTER_NODE_ADDRESS'],
      message: 'is required when HEXABASE_VCLUSTER_EXPOSE=nodeport (the address users reach the nodes on)',
    });
  }
  if (
    env.NODE_ENV === 'production' &&
    env.HEXABASE_VCLUSTER_EXPOSE === 'ingress' &&
    !env.HEXABASE_VCLUSTER_DOMAIN
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEXABASE_VCLUSTER_DOMAIN'],
      message: 'is required when HEXABASE_VCLUSTER_EXPOSE=ingress and NODE_ENV=production',
    });
  }
  // Two deliverers would deliver every event twice (once through the broker's Triggers, once directly).
  if (env.K_SINK && env.HEXABASE_FUNCTION_URL) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEXABASE_FUNCTION_URL'],
      message:
        'must not be set together with K_SINK: the relay either forwards events to the Knative broker (K_SINK) or delivers them to the functions itself',
    });
  }
  if (env.NODE_ENV === 'production' && !env.HEXABASE_KEY_ENCRYPTION_KEY) {
    ctx.addIssue({
      code: 'custom',
      path: ['HEXABASE_KEY_ENCRYPTION_KEY'],
      message: 'is required when NODE_ENV=production',
    });
  }
});

export type Env = z.infer<typeof envSchema>;
