import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type MailComposer from 'nodemailer/lib/mail-composer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { Env } from '../env';
import type { Logger } from '../log';
import { type MailFailure, MailRejectedError, MailUnavailableError } from './errors';

export { MailRejectedError, MailUnavailableError } from './errors';

export type MailMessage = {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The one thing the reader is asked to open; logged in local file mode so that it can be clicked. */
  link?: string;
};

export type SentMail = { messageId: string; file?: string };

export type Mailer = {
  kind: 'smtp' | 'file';
  send: (message: MailMessage) => Promise<SentMail>;
};

export type MailSettings = {
  smtpUrl?: string;
  from: string;
  /** Where messages are written when there is no SMTP server. */
  dir: string;
  /** Local runs log each message's link; production logs never carry one (it holds a secret token). */
  logLinks: boolean;
};

export function mailSettings(env: Env): MailSettings {
  return {
    ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}),
    from: env.MAIL_FROM ?? `Hexabase <no-reply@${new URL(env.HEXABASE_PUBLIC_URL).hostname}>`,
    dir: join(env.HEXABASE_DATA_DIR, 'mail'),
    logLinks: env.NODE_ENV !== 'production',
  };
}

// Each wait is below the dispatcher's 10 s delivery timeout: a silent server fails the attempt, not the worker.
const TIMEOUTS = { connectionTimeout: 5_000, greetingTimeout: 5_000, socketTimeout: 8_000 };

/** What nodemailer attaches to its errors (see its NodemailerError); the reply text is left out on purpose. */
type TransportError = Error & MailFailure & { permanent?: boolean };

/**
 * Permanent means sending the same message again cannot succeed. Refused credentials are the exception: an
 * operator fixes them, and the retries should then go through.
 */
function classify(err: TransportError): Error {
  const failure: MailFailure = {
    code: err.code,
    responseCode: err.responseCode,
    ...(err.command ? { command: err.command } : {}),
  };
  if (err.code === 'EAUTH' || err.code === 'ENOAUTH') return new MailUnavailableError(failure);
  if (err.permanent === true) return new MailRejectedError(failure);
  // Refused before any server saw it (an address nodemailer cannot use): no retry can help.
  if (err.responseCode === undefined && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE'))
    return new MailRejectedError(failure);
  if (err.code === undefined && err.responseCode === undefined) return err; // a bug, not the network
  return new MailUnavailableError(failure);
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

/**
 * nodemailer's transport contract: `send` reads the message (a compiled MIME tree) and the send options. Calling
 * the transport without nodemailer's Mailer front keeps ~45 KiB of unused transports out of the worker's bundle.
 */
function sendThrough(transport: SMTPTransport, message: MailComposer) {
  const mail = { data: {}, message: message.compile() } as unknown as Parameters<SMTPTransport['send']>[0];
  return new Promise<SMTPTransport.SentMessageInfo>((resolve, reject) =>
    transport.send(mail, (err, info) => (err ? reject(err) : resolve(info!))),
  );
}

/** One mailer per process, built from the settings and passed to whoever sends (no module-level transport). */
export function createMailer(settings: MailSettings, log: Logger): Mailer {
  // nodemailer (~200 KB of bundle) is loaded by the first message, not at start: the worker listens sooner.
  const composer = lazy(async () => (await import('nodemailer/lib/mail-composer')).default);
  const compose = async (m: MailMessage) =>
    new (await composer())({
      from: settings.from,
      to: m.to,
      subject: m.subject.replace(/\s+/g, ' ').trim(),
      text: m.text,
      html: m.html,
      // RFC 3834: out-of-office robots must not answer.
      headers: { 'Auto-Submitted': 'auto-generated' },
      newline: 'windows',
      disableFileAccess: true,
      disableUrlAccess: true,
    });

  if (settings.smtpUrl) {
    const smtpUrl = settings.smtpUrl;
    const transport = lazy(
      async () => new (await import('nodemailer/lib/smtp-transport')).default({ url: smtpUrl, ...TIMEOUTS }),
    );
    return {
      kind: 'smtp',
      send: async (m) => {
        try {
          const info = await sendThrough(await transport(), await compose(m));
          return { messageId: info.messageId };
        } catch (err) {
          const classified = classify(err as TransportError);
          if (classified instanceof MailRejectedError || classified instanceof MailUnavailableError)
            log.warn({ ...classified.failure, permanent: classified.status < 500 }, 'email not sent');
          throw classified;
        }
      },
    };
  }

  // The same MIME message the SMTP path would send, written instead.
  const dir = resolve(settings.dir);
  return {
    kind: 'file',
    send: async (m) => {
      const message = (await compose(m)).compile();
      const raw = await message.build();
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const name = `${stamp()}-${randomBytes(4).toString('hex')}.eml`;
      const file = join(dir, name);
      // Written aside and renamed: whoever watches the folder never reads half a message.
      const partial = join(dir, `.${name}.partial`);
      await writeFile(partial, raw, { mode: 0o600 });
      await rename(partial, file);
      log.info(
        { file, ...(settings.logLinks && m.link ? { link: m.link } : {}) },
        'email written to a file, not sent (SMTP_URL is not set)',
      );
      return { messageId: message.messageId(), file };
    },
  };
}

/** The value of `load()`, computed once, on first call; a failed load is tried again next time. */
function lazy<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () =>
    (value ??= load().catch((err) => {
      value = undefined;
      throw err;
    }));
}
