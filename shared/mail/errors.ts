import { AppError } from '../errors';

/** The transport reports how it failed; only the SMTP reply code and the failed step are kept (no addresses). */
export type MailFailure = { code?: string | undefined; responseCode?: number | undefined; command?: string };

const where = (f: MailFailure) =>
  [f.responseCode ?? f.code, f.command ? `at ${f.command}` : ''].filter(Boolean).join(' ');

/**
 * The mail server refused this message for good (a 5xx reply about the sender, recipient or content). A worker
 * answers 422 with it, so the dispatcher dead-letters the event at once instead of retrying a refusal.
 */
export class MailRejectedError extends AppError<'MAIL_REJECTED'> {
  constructor(readonly failure: MailFailure) {
    super(
      422,
      'MAIL_REJECTED',
      'Unprocessable Content',
      `The mail server refused the message permanently (${where(failure)}).`,
    );
  }
}

/**
 * The message may go through later: the server is unreachable, timed out, deferred it (4xx) or refused our
 * credentials (an operator fixes those). A worker answers 503 with it, so the dispatcher retries with backoff.
 */
export class MailUnavailableError extends AppError<'MAIL_UNAVAILABLE'> {
  constructor(readonly failure: MailFailure) {
    super(
      503,
      'MAIL_UNAVAILABLE',
      'Service Unavailable',
      `The mail server did not take the message (${where(failure)}); it will be retried.`,
    );
  }
}
