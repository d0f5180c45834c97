/**
 * Every `code` a Hexabase problem+json can carry, with its HTTP status. Clients branch on these, so the list is
 * closed: AppError accepts nothing else, and docs/errors.md must list exactly these (shared/errors/codes.test.ts).
 * A code is never renamed or given another status once shipped; add a new one instead.
 *
 * Two codes answer with two statuses (the first is the usual one): they shipped that way before the list existed,
 * and changing either status would break clients.
 */
export const ERROR_CODES = {
  // The request itself, refused by shared/http before any route runs (or by its validators).
  VALIDATION_FAILED: 400,
  MALFORMED_JSON: 400,
  UNSUPPORTED_MEDIA_TYPE: 400,
  BAD_REQUEST: 400,
  INVALID_CURSOR: 400,
  INVALID_PATH: 400,
  INVALID_VALUE: 400,
  INVALID_IDEMPOTENCY_KEY: 400,
  MALFORMED_REQUEST: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  IDEMPOTENCY_RETRY: 409,
  PAYLOAD_TOO_LARGE: 413,
  RULE_VIOLATION: 422,
  IDEMPOTENCY_KEY_REUSED: 422,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  SERVICE_UNAVAILABLE: 503,

  // Sign-in, sessions and tokens (shared/auth).
  INVALID_STATE: 400,
  EMAIL_REQUIRED: 400,
  INVALID_RETURN_TO: 400,
  NOT_A_SESSION: 400,
  INVALID_REDIRECT_URI: 400,
  INVALID_CODE: 400,
  INVALID_TOKEN: 401,
  SESSION_REVOKED: 401,
  INVALID_REFRESH_TOKEN: 401,
  REFRESH_TOKEN_REUSED: 401,
  SIGN_IN_FAILED: 401,
  SIGN_IN_DENIED: 401,
  // 401 when signing in; 403 when accepting an invitation.
  EMAIL_NOT_VERIFIED: [401, 403],
  CSRF_FAILED: 403,
  // Lowercase, after the OAuth error the token endpoint answers instead; a problem+json carries it only if the
  // membership ends between the kubeconfig route's own check and the token (see docs/errors.md).
  invalid_grant: 403,
  UNKNOWN_PROVIDER: 404,
  ISSUER_NOT_FOUND: 404,

  // Organizations, members and invitations (shared/orgs).
  ORG_ADMIN_REQUIRED: 403,
  ORGANIZATION_NOT_FOUND: 404,
  MEMBER_NOT_FOUND: 404,
  INVITATION_NOT_FOUND: 404,
  ALREADY_MEMBER: 409,
  LAST_ADMIN: 409,
  ORGANIZATION_HAS_WORKSPACES: 409,
  INVITATION_PENDING: 409,
  INVITATION_NOT_PENDING: 409,
  INVITATION_EXPIRED: 409,

  // Workspaces, groups, projects and roles (shared/workspaces).
  WORKSPACE_ADMIN_REQUIRED: 403,
  WORKSPACE_MEMBER_REQUIRED: 403,
  WORKSPACE_NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  GROUP_NOT_FOUND: 404,
  PROJECT_NOT_FOUND: 404,
  ROLE_NOT_FOUND: 404,
  ASSIGNMENT_NOT_FOUND: 404,
  WORKSPACE_NAME_TAKEN: 409,
  WORKSPACE_DELETING: 409,
  WORKSPACE_NOT_READY: 409,
  NO_DEDICATED_NODES_AVAILABLE: 409,
  GROUP_NAME_TAKEN: 409,
  GROUP_HAS_CHILDREN: 409,
  PROJECT_NAME_TAKEN: 409,
  PROJECT_HAS_CHILDREN: 409,
  ROLE_NAME_TAKEN: 409,
  ALREADY_ASSIGNED: 409,
  UNKNOWN_PLAN: 422,
  DEDICATED_NODES_NOT_ALLOWED: 422,
  PLAN_LIMIT_REACHED: 422,
  NOT_AN_ORGANIZATION_MEMBER: 422,
  NOT_A_WORKSPACE_MEMBER: 422,
  UNKNOWN_GROUP: 422,
  GROUP_CYCLE: 422,
  RESERVED_NAME: 422,
  PRESET_ROLE: 422,
  UNKNOWN_ROLE: 422,
  // 422 when renaming or moving a default group; 409 when deleting one.
  DEFAULT_GROUP: [422, 409],

  // Billing and Stripe's webhooks (shared/billing).
  INVALID_RETURN_URL: 400,
  INVALID_SIGNATURE: 400,
  PAYMENT_METHOD_REQUIRED: 402,
  BILLING_DISABLED: 409,
  PLAN_NOT_FOR_SALE: 422,
  BILLING_UNAVAILABLE: 503,

  // Usage (shared/usage).
  INVALID_STEP: 400,

  // Event workers: seen in dead letters and logs rather than by API clients.
  INVALID_CLOUDEVENT: 400,
  UNEXPECTED_EVENT_TYPE: 400,
  INVALID_EVENT_DATA: 400,
  MAIL_REJECTED: 422,
  MAIL_UNAVAILABLE: 503,
} as const satisfies Record<string, number | readonly [number, number]>;

export type ErrorCode = keyof typeof ERROR_CODES;

type Statuses<S> = S extends readonly (infer N extends number)[] ? N : S extends number ? S : never;

/** The statuses a code may answer with (one, or the two of a code listed as a pair). */
export type StatusOf<C extends ErrorCode> = Statuses<(typeof ERROR_CODES)[C]>;

/** Every status some code answers with. */
export type HttpErrorStatus = StatusOf<ErrorCode>;

/** The codes that may answer with status `S`: what an error class of that status may be given. */
export type CodeOf<S extends HttpErrorStatus> = {
  [C in ErrorCode]: S extends StatusOf<C> ? C : never;
}[ErrorCode];

export function statusesOf(code: ErrorCode): readonly number[] {
  const status: number | readonly number[] = ERROR_CODES[code];
  return typeof status === 'number' ? [status] : status;
}

/**
 * Codes of OperatorError: startup failures, printed to the operator as one line and never sent over HTTP, so they
 * have no status. A closed list all the same, so that programs and tests that start the platform can rely on them.
 */
export const OPERATOR_ERROR_CODES = [
  'DATABASE_UNAVAILABLE',
  'NATS_UNAVAILABLE',
  'MIGRATIONS_NOT_FOUND',
  'KEY_ENCRYPTION_KEY_MISMATCH',
] as const;

export type OperatorErrorCode = (typeof OPERATOR_ERROR_CODES)[number];
