// A real SMTP server (smtp-server + mailparser) that keeps what it receives: tests and benchmarks read the parsed
// mails, and `npm start` also saves each one as an .eml file, as compose's Mailpit does for containers. `stop()`
// closes it so tests can check retries while mail is down, and `start()` on the same port brings it back.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { freePort } from './free-port.js';

export interface CapturedMail {
  from: string;
  to: string[];
  subject: string;
  /** The Message-ID header, with its angle brackets. */
  messageId: string;
  text: string;
  html: string;
  /** Every http(s) link in the text and html bodies, in order, without duplicates. */
  links: string[];
  receivedAt: Date;
  /** The .eml file it was saved to, when the capture saves mail. */
  file?: string;
}

export interface SmtpCapture {
  port: number;
  /** Env for a Directus instance that sends mail here. */
  env: Record<string, string>;
  messages: CapturedMail[];
  /** Mails to one address (case-insensitive). */
  to(address: string): CapturedMail[];
  /** Resolves with the first mail that matches, polling until timeoutMs; rejects naming what did arrive. */
  waitFor(match: (mail: CapturedMail) => boolean, timeoutMs?: number): Promise<CapturedMail>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface SmtpCaptureOptions {
  port?: number;
  /** Saves each mail, as received, to <saveDir>/<time>-<n>.eml. */
  saveDir?: string;
  /** Called with each mail once it is parsed (and saved). */
  onMail?: (mail: CapturedMail) => void;
  /** false: do not keep mails in `messages` (a long-running `npm start` has them on disk). Default true. */
  keep?: boolean;
}

// Text bodies may wrap links as [url] or (url): brackets end a link.
const LINK = /https?:\/\/[^\s"'<>()[\]]+/g;

function linksOf(...bodies: string[]): string[] {
  const found = bodies.flatMap((body) => body.match(LINK) ?? []).map((link) => link.replace(/&amp;/g, '&'));
  return [...new Set(found)];
}

/** The env that makes Directus send to an SMTP server on 127.0.0.1:port, without TLS (transport settings only). */
export function smtpTransportEnv(port: number): Record<string, string> {
  return {
    EMAIL_TRANSPORT: 'smtp',
    EMAIL_SMTP_HOST: '127.0.0.1',
    EMAIL_SMTP_PORT: String(port),
    EMAIL_SMTP_SECURE: 'false',
    EMAIL_SMTP_IGNORE_TLS: 'true',
  };
}

export async function startSmtpCapture(options: SmtpCaptureOptions = {}): Promise<SmtpCapture> {
  const port = options.port ?? (await freePort());
  const messages: CapturedMail[] = [];
  let server: SMTPServer | undefined;
  let saved = 0;
  if (options.saveDir) mkdirSync(options.saveDir, { recursive: true });

  const save = (raw: Buffer): string | undefined => {
    if (!options.saveDir) return undefined;
    saved += 1;
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const file = path.join(options.saveDir, `${stamp}-${saved}.eml`);
    writeFileSync(file, raw);
    return file;
  };

  const start = async (): Promise<void> => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          simpleParser(raw).then(
            (parsed) => {
              const text = parsed.text ?? '';
              const html = typeof parsed.html === 'string' ? parsed.html : '';
              const mail: CapturedMail = {
                from: parsed.from?.value[0]?.address ?? '',
                to: session.envelope.rcptTo.map((rcpt) => rcpt.address.toLowerCase()),
                subject: parsed.subject ?? '',
                messageId: parsed.messageId ?? '',
                text,
                html,
                links: linksOf(text, html),
                receivedAt: new Date(),
                file: save(raw),
              };
              if (options.keep !== false) messages.push(mail);
              options.onMail?.(mail);
              callback();
            },
            (error: Error) => callback(error),
          );
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server!.once('error', reject);
      server!.listen(port, '127.0.0.1', () => resolve());
    });
  };

  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  };

  await start();
  return {
    port,
    env: { ...smtpTransportEnv(port), EMAIL_FROM: 'desk@example.com', EMAIL_VERIFY_SETUP: 'false' },
    messages,
    to: (address) => messages.filter((mail) => mail.to.includes(address.toLowerCase())),
    async waitFor(match, timeoutMs = 15000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(match);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = messages.map((mail) => `${mail.to.join(',')}: ${mail.subject}`).join('; ') || 'none';
          throw new Error(`no matching mail within ${timeoutMs} ms (arrived: ${seen})`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    start,
    stop,
  };
}
