import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startSmtpCapture, type CapturedMail, type SmtpCapture } from './smtp-capture.js';

/** Sends one message over plain SMTP, waiting for each reply before the next command. */
async function send(port: number, to: string, message: string): Promise<void> {
  const socket = net.connect(port, '127.0.0.1');
  let buffer = '';
  const replies: string[] = [];
  let waiting: (() => void) | undefined;
  socket.on('data', (chunk) => {
    buffer += chunk.toString();
    const lines = buffer.split('\r\n');
    buffer = lines.pop()!;
    // A reply ends with a line "NNN text" (not "NNN-text").
    for (const line of lines) if (/^\d{3} /.test(line)) replies.push(line);
    waiting?.();
  });
  const reply = async (expected: string) => {
    while (replies.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
    expect(replies.shift()).toMatch(new RegExp(`^${expected}`));
  };
  await reply('220');
  for (const [command, expected] of [
    ['EHLO test', '250'],
    ['MAIL FROM:<desk@example.com>', '250'],
    [`RCPT TO:<${to}>`, '250'],
    ['DATA', '354'],
    [`${message}\r\n.`, '250'],
    ['QUIT', '221'],
  ] as const) {
    socket.write(`${command}\r\n`);
    await reply(expected);
  }
  socket.end();
}

const message = ['From: desk@example.com', 'To: ava@acme.example.com', 'Subject: Ticket updated', '', 'Hello.'].join(
  '\r\n',
);

let capture: SmtpCapture | undefined;
let dir: string | undefined;
afterEach(async () => {
  await capture?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('startSmtpCapture', () => {
  it('keeps each mail, parsed, for tests', async () => {
    capture = await startSmtpCapture();
    await send(capture.port, 'Ava@acme.example.com', message);
    const mail = await capture.waitFor((candidate) => candidate.subject === 'Ticket updated');
    expect(mail.to).toEqual(['ava@acme.example.com']);
    expect(mail.text.trim()).toBe('Hello.');
    expect(mail.file).toBeUndefined();
  });

  it('saves each mail as an .eml file and reports it, without keeping it when told not to (npm start)', async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'groundwork-mail-'));
    const reported: CapturedMail[] = [];
    capture = await startSmtpCapture({ saveDir: dir, keep: false, onMail: (mail) => reported.push(mail) });
    await send(capture.port, 'ava@acme.example.com', message);
    await send(capture.port, 'ava@acme.example.com', message.replace('Ticket updated', 'Second'));
    for (let i = 0; i < 50 && reported.length < 2; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.endsWith('.eml'))).toBe(true);
    expect(reported.map((mail) => path.basename(mail.file!)).sort()).toEqual(files);
    expect(readFileSync(path.join(dir, files[0]!), 'utf8')).toContain('Subject: Ticket updated');
    expect(capture.messages).toHaveLength(0);
  });
});
