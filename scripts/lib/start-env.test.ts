import { describe, expect, it } from '@jest/globals';
import { mailIsConfigured, mergeStartEnv } from './start-env.js';

const file = { PORT: '8055', HOST: '127.0.0.1', PUBLIC_URL: 'http://localhost:8055', LOG_LEVEL: 'info' };

describe('mergeStartEnv', () => {
  it('lets the process environment win over .env', () => {
    const env = mergeStartEnv(file, { PORT: '9000', LOG_LEVEL: 'debug', DB_HOST: 'db.internal' });
    expect(env.PORT).toBe('9000');
    expect(env.LOG_LEVEL).toBe('debug');
    expect(env.DB_HOST).toBe('db.internal');
    expect(env.HOST).toBe('127.0.0.1');
  });

  it('keeps .env where the environment sets nothing', () => {
    expect(mergeStartEnv(file, { PATH: '/bin', PORT: undefined })).toEqual({ ...file, PATH: '/bin' });
  });

  it('moves a local PUBLIC_URL from .env to the PORT set in the environment', () => {
    expect(mergeStartEnv(file, { PORT: '9000' }).PUBLIC_URL).toBe('http://localhost:9000');
    expect(mergeStartEnv({ ...file, PUBLIC_URL: 'http://127.0.0.1:8055/' }, { PORT: '9000' }).PUBLIC_URL).toBe(
      'http://127.0.0.1:9000/',
    );
    // No PORT in .env: Directus's default port.
    expect(mergeStartEnv({ PUBLIC_URL: 'http://localhost:8055' }, { PORT: '9001' }).PUBLIC_URL).toBe(
      'http://localhost:9001',
    );
  });

  it('leaves PUBLIC_URL alone when the user set it, or when it is not this machine on the old port', () => {
    expect(mergeStartEnv(file, { PORT: '9000', PUBLIC_URL: 'http://localhost:7000' }).PUBLIC_URL).toBe(
      'http://localhost:7000',
    );
    expect(mergeStartEnv({ ...file, PUBLIC_URL: 'https://desk.example.com' }, { PORT: '9000' }).PUBLIC_URL).toBe(
      'https://desk.example.com',
    );
    expect(mergeStartEnv({ ...file, PUBLIC_URL: 'http://localhost:3000' }, { PORT: '9000' }).PUBLIC_URL).toBe(
      'http://localhost:3000',
    );
    expect(mergeStartEnv({ ...file, PUBLIC_URL: '/' }, { PORT: '9000' }).PUBLIC_URL).toBe('/');
  });
});

describe('mailIsConfigured', () => {
  it('is true once the user sets a transport or an SMTP setting', () => {
    expect(mailIsConfigured({ EMAIL_TRANSPORT: 'smtp' })).toBe(true);
    expect(mailIsConfigured({ EMAIL_SMTP_HOST: 'mail.example.com' })).toBe(true);
  });

  it('is false with no mail settings, only a sender, or empty values', () => {
    expect(mailIsConfigured({})).toBe(false);
    expect(mailIsConfigured({ EMAIL_FROM: 'desk@example.com', EMAIL_TRANSPORT: '' })).toBe(false);
  });
});
