/**
 * Errors that cross the HTTP boundary. Each has a stable UPPER_SNAKE `code` that clients may branch on;
 * `detail` is written for humans and must never contain internals (SQL, stack, hostnames).
 */
export type FieldError = { field: string; message: string };

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extra?: Record<string, unknown>,
  ) {
    // A 4xx is an answer, not a fault: it is never logged, and capturing its stack (~5 µs) would be most of what an
    // anonymous request's 401 costs. 5xx errors keep theirs.
    const stackTraceLimit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    super(detail ?? title);
    Error.stackTraceLimit = stackTraceLimit;
    this.name = new.target.name;
  }
}

export class BadRequestError extends AppError {
  constructor(code: string, detail: string, extra?: Record<string, unknown>) {
    super(400, code, 'Bad Request', detail, extra);
  }
}

export class ValidationError extends AppError {
  constructor(readonly errors: FieldError[]) {
    super(400, 'VALIDATION_FAILED', 'Invalid request', 'The request has invalid fields.', { errors });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(detail = 'Authentication is required.', code = 'UNAUTHENTICATED') {
    super(401, code, 'Unauthorized', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail = 'You are not allowed to do this.', code = 'FORBIDDEN') {
    super(403, code, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail = 'The resource does not exist.', code = 'NOT_FOUND') {
    super(404, code, 'Not Found', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'CONFLICT') {
    super(409, code, 'Conflict', detail);
  }
}

export class RuleViolationError extends AppError {
  constructor(detail: string, code = 'RULE_VIOLATION') {
    super(422, code, 'Unprocessable Content', detail);
  }
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'RATE_LIMITED', 'Too Many Requests', `Try again in ${retryAfterSeconds} seconds.`);
  }
}

export class DependencyUnavailableError extends AppError {
  constructor(detail = 'A dependency is unavailable; try again shortly.') {
    super(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable', detail);
  }
}

/**
 * A startup failure an operator fixes from the message alone (service unreachable, bad credentials):
 * entry points print it as one line instead of a stack trace.
 */
export class OperatorError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
