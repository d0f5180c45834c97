import { AppError, type ErrorCode, type FieldError } from '../errors';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
};

/** `type` points at the error catalogue in docs/errors.md, one anchor per code. */
export function problemType(code: ErrorCode): string {
  return `https://hexabase.ai/problems/${code.toLowerCase().replaceAll('_', '-')}`;
}

export function problemFromError(err: AppError, instance?: string): Problem {
  return {
    type: problemType(err.code),
    title: err.title,
    status: err.status,
    detail: err.detail ?? err.title,
    code: err.code,
    ...(instance ? { instance } : {}),
    ...err.extra,
  };
}

export function problemResponse(problem: Problem, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...headers },
  });
}

export function errorResponse(err: AppError, instance?: string, headers?: Record<string, string>): Response {
  return problemResponse(problemFromError(err, instance), headers);
}

export const internalError = () =>
  new AppError(
    500,
    'INTERNAL',
    'Internal Server Error',
    'Something went wrong on our side. It has been logged.',
  );
