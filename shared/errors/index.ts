import type { CodeOf, ErrorCode, HttpErrorStatus, OperatorErrorCode, StatusOf } from './codes';

export type { CodeOf, ErrorCode, HttpErrorStatus, OperatorErrorCode } from './codes';
export { ERROR_CODES, OPERATOR_ERROR_CODES, statusesOf } from './codes';

/**
 * Errors that cross the HTTP boundary. Each has a stable `code` from the closed list in ./codes.ts, which clients
 * may branch on; `detail` is written for humans and must never contain internals (SQL, stack, hostnames).
 */
export type FieldError = { field: string; message: string };

/** `cause` is the error this one replaces: never sent to clients, but logged with a 5xx (shared/log). */
export type AppErrorOptions = ErrorOptions & { extra?: Record<string, unknown> };

/**
 * `C` only ties the status to the code at construction: a code registered as 409 cannot be thrown as a 422. The
 * fields are the plain unions, so `err instanceof AppError` narrows to a useful type. Its default is `never` so
 * that a subclass must name the codes it throws (`extends AppError<CodeOf<409>>`): with a default of every code,
 * `super(422, 'CONFLICT', …)` would compile.
 */
export class AppError<C extends ErrorCode = never> extends Error {
  readonly status: HttpErrorStatus;
  readonly code: ErrorCode;
  readonly extra?: Record<string, unknown>;

  constructor(
    status: StatusOf<C>,
    code: C,
    readonly title: string,
    readonly detail?: string,
    options?: AppErrorOptions,
  ) {
    // A 4xx is an answer, not a fault: it is never logged, and capturing its stack (~5 µs) would be most of what an
    // anonymous request's 401 costs. 5xx errors keep theirs.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(detail ?? title, options);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
    this.status = status;
    this.code = code;
    if (options?.extra) this.extra = options.extra;
  }
}

export class BadRequestError extends AppError<CodeOf<400>> {
  constructor(code: CodeOf<400>, detail: string, options?: ErrorOptions) {
    super(400, code, 'Bad Request', detail, options);
  }
}

export class ValidationError extends AppError<'VALIDATION_FAILED'> {
  constructor(readonly errors: FieldError[]) {
    super(400, 'VALIDATION_FAILED', 'Invalid request', 'The request has invalid fields.', {
      extra: { errors },
    });
  }
}

export class UnauthenticatedError extends AppError<CodeOf<401>> {
  constructor(
    detail = 'Authentication is required.',
    code: CodeOf<401> = 'UNAUTHENTICATED',
    options?: ErrorOptions,
  ) {
    super(401, code, 'Unauthorized', detail, options);
  }
}

export class ForbiddenError extends AppError<CodeOf<403>> {
  constructor(
    detail = 'You are not allowed to do this.',
    code: CodeOf<403> = 'FORBIDDEN',
    options?: ErrorOptions,
  ) {
    super(403, code, 'Forbidden', detail, options);
  }
}

export class NotFoundError extends AppError<CodeOf<404>> {
  constructor(
    detail = 'The resource does not exist.',
    code: CodeOf<404> = 'NOT_FOUND',
    options?: ErrorOptions,
  ) {
    super(404, code, 'Not Found', detail, options);
  }
}

export class PaymentRequiredError extends AppError<CodeOf<402>> {
  constructor(detail: string, code: CodeOf<402> = 'PAYMENT_METHOD_REQUIRED', options?: ErrorOptions) {
    super(402, code, 'Payment Required', detail, options);
  }
}

export class ConflictError extends AppError<CodeOf<409>> {
  constructor(detail: string, code: CodeOf<409> = 'CONFLICT', options?: ErrorOptions) {
    super(409, code, 'Conflict', detail, options);
  }
}

export class RuleViolationError extends AppError<CodeOf<422>> {
  constructor(detail: string, code: CodeOf<422> = 'RULE_VIOLATION', options?: ErrorOptions) {
    super(422, code, 'Unprocessable Content', detail, options);
  }
}

export class RateLimitedError extends AppError<'RATE_LIMITED'> {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', 'Too Many Requests', `Try again in ${retryAfterSeconds} seconds.`);
  }
}

export class DependencyUnavailableError extends AppError<CodeOf<503>> {
  constructor(
    detail = 'A dependency is unavailable; try again shortly.',
    options?: ErrorOptions,
    code: CodeOf<503> = 'SERVICE_UNAVAILABLE',
  ) {
    super(503, code, 'Service Unavailable', detail, options);
  }
}

/**
 * A startup failure an operator fixes from the message alone (service unreachable, bad credentials):
 * entry points print it as one line instead of a stack trace.
 */
export class OperatorError extends Error {
  constructor(
    readonly code: OperatorErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}
