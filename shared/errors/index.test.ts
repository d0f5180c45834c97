import { describe, expect, it } from 'vitest';
import {
  AppError,
  BadRequestError,
  ConflictError,
  DependencyUnavailableError,
  NotFoundError,
  OperatorError,
  RuleViolationError,
  ValidationError,
} from '.';

describe('AppError', () => {
  it('keeps the error it replaces as its cause, and sends none of it', () => {
    const cause = new Error('duplicate key value violates unique constraint "projects_ws_name_uq"');
    const err = new ConflictError('A project named "a" already exists.', 'PROJECT_NAME_TAKEN', { cause });
    expect(err.cause).toBe(cause);
    expect(err).toMatchObject({
      status: 409,
      code: 'PROJECT_NAME_TAKEN',
      message: 'A project named "a" already exists.',
    });
    expect(new DependencyUnavailableError('down', { cause }).cause).toBe(cause);
    expect(new OperatorError('DATABASE_UNAVAILABLE', 'cannot connect', { cause }).cause).toBe(cause);
  });

  it('has no cause property at all when none is given', () => {
    expect('cause' in new NotFoundError()).toBe(false);
  });

  it('captures no stack for a 4xx, which is an answer, and keeps one for a 5xx', () => {
    expect(new RuleViolationError('no').stack).toBe('RuleViolationError: no');
    expect(new DependencyUnavailableError().stack).toMatch(/\n\s+at /);
  });

  it('carries validation errors as the problem extension `errors`', () => {
    const err = new ValidationError([{ field: 'name', message: 'Required' }]);
    expect(err.extra).toEqual({ errors: [{ field: 'name', message: 'Required' }] });
  });

  it('refuses, at compile time, a code that is not registered or registered with another status', () => {
    // Never called: tsc (npm test's typecheck) is what runs these.
    const refused = [
      // @ts-expect-error CONFLICT is a 409, not a 422
      () => new RuleViolationError('no', 'CONFLICT'),
      // @ts-expect-error RULE_VIOLATION is a 422, not a 409
      () => new ConflictError('no', 'RULE_VIOLATION'),
      // @ts-expect-error not a registered code
      () => new BadRequestError('NOT_A_CODE', 'no'),
      // @ts-expect-error PAYLOAD_TOO_LARGE is a 413
      () => new AppError(400, 'PAYLOAD_TOO_LARGE', 'Bad Request'),
      // @ts-expect-error startup errors have their own closed list
      () => new OperatorError('INTERNAL', 'no'),
      () => {
        class Unnamed extends AppError {
          constructor() {
            // @ts-expect-error a subclass must name its codes (AppError<…>), or any code would pass
            super(409, 'CONFLICT', 'Conflict');
          }
        }
        return new Unnamed();
      },
    ];
    expect(refused).toHaveLength(6);
    // A code registered with two statuses may be thrown with either.
    expect(new RuleViolationError('no', 'DEFAULT_GROUP').status).toBe(422);
    expect(new ConflictError('no', 'DEFAULT_GROUP').status).toBe(409);
  });
});
