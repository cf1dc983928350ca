import { describe, expect, it } from '@jest/globals';
import {
  answerAfterHold,
  gateAnswer,
  HOLD_POLL_MS,
  shouldHold,
  SYSTEM_KEY_HOLD_MS,
  isTransformable,
  presetKeys,
  renderOutcome,
  requestedKey,
  RETRY_AFTER_SECONDS,
  SKIPPED_AFTER,
  type RenditionRecord,
} from './renditions.js';

const record = (preset: string, status: RenditionRecord['status'], reason: string | null = null): RenditionRecord => ({
  preset,
  status,
  reason,
});

describe('isTransformable', () => {
  it('takes the image types Directus transforms and nothing else', () => {
    expect(['image/jpeg', 'IMAGE/PNG', 'image/webp', 'image/tiff', 'image/avif'].map(isTransformable)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(['image/gif', 'image/svg+xml', 'application/pdf', '', null, undefined].map(isTransformable)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('presetKeys', () => {
  it('answers each named key once, in order, and ignores what is not a preset', () => {
    expect(presetKeys([{ key: 'thumbnail' }, { key: 'card' }, { key: 'thumbnail' }, { key: '' }, null, 3, {}])).toEqual(
      ['thumbnail', 'card'],
    );
    expect(presetKeys(null)).toEqual([]);
    expect(presetKeys('thumbnail')).toEqual([]);
  });
});

describe('renderOutcome', () => {
  it('makes a timeout final: the same bytes time out again', () => {
    expect(
      renderOutcome(
        Object.assign(new Error('Service "assets" is unavailable. Transformation timed out.'), {
          code: 'SERVICE_UNAVAILABLE',
        }),
      ),
    ).toEqual({ kind: 'failed', reason: 'timed out (ASSETS_TRANSFORM_TIMEOUT)' });
  });

  it('retries a busy sharp (its slots are taken by requests) and an unknown error', () => {
    expect(renderOutcome({ code: 'SERVICE_UNAVAILABLE', message: 'Server too busy' }).kind).toBe('retry');
    expect(renderOutcome(new Error('ECONNRESET')).kind).toBe('retry');
    expect(renderOutcome(undefined).kind).toBe('retry');
  });

  it("leaves a too-large image to Directus's own refusal, which comes before any decode", () => {
    expect(renderOutcome({ code: 'ILLEGAL_ASSET_TRANSFORMATION', message: 'x' }).kind).toBe('declined');
  });

  it('makes an invalid preset and undecodable bytes final', () => {
    expect(renderOutcome({ code: 'INVALID_QUERY', message: 'Expected a number' })).toEqual({
      kind: 'failed',
      reason: 'the preset is invalid: Expected a number',
    });
    expect(renderOutcome(new Error('VipsJpeg: Premature end of JPEG file')).kind).toBe('failed');
    expect(renderOutcome(new Error('Input buffer contains unsupported image format')).kind).toBe('failed');
  });
});

describe('SKIPPED_AFTER', () => {
  it('names the preset whose render failed first', () => {
    expect(SKIPPED_AFTER('full')).toBe('not tried: the render of "full" failed first');
  });
});

describe('gateAnswer', () => {
  it('passes a file without records to Directus (stored before renditions, or not an image)', () => {
    expect(gateAnswer([], 'thumbnail')).toEqual({ kind: 'pass' });
    expect(gateAnswer([], 'system-large-contain')).toEqual({ kind: 'pass' });
  });

  it("follows the key's own record: pending waits, failed refuses with its reason, ready passes", () => {
    const records = [record('card', 'ready'), record('full', 'failed', 'timed out'), record('thumbnail', 'pending')];
    expect(gateAnswer(records, 'thumbnail')).toEqual({ kind: 'wait', retryAfterSeconds: RETRY_AFTER_SECONDS });
    expect(gateAnswer(records, 'full')).toEqual({ kind: 'refuse', reason: 'timed out' });
    expect(gateAnswer(records, 'card')).toEqual({ kind: 'pass' });
  });

  it('refuses a failed record without a reason with a general one', () => {
    expect(gateAnswer([record('full', 'failed')], 'full')).toEqual({
      kind: 'refuse',
      reason: 'the image could not be rendered',
    });
  });

  it('makes a system key follow the file: any failed render refuses it, any pending one waits', () => {
    expect(gateAnswer([record('card', 'ready'), record('full', 'failed', 'timed out')], 'system-medium-cover')).toEqual(
      {
        kind: 'refuse',
        reason: 'timed out',
      },
    );
    expect(gateAnswer([record('card', 'ready'), record('full', 'pending')], 'system-small-cover')).toEqual({
      kind: 'wait',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
    expect(gateAnswer([record('card', 'ready')], 'system-small-cover')).toEqual({ kind: 'pass' });
  });

  it('leaves an unknown key to Directus (which refuses an unconfigured key), even on a failed file', () => {
    expect(gateAnswer([record('full', 'failed', 'timed out')], 'huge')).toEqual({ kind: 'pass' });
  });
});

describe('requestedKey', () => {
  it('answers the key of a plain ?key= request', () => {
    expect(requestedKey({ key: 'thumbnail' })).toBe('thumbnail');
    expect(requestedKey({ key: 'thumbnail', download: '' })).toBe('thumbnail');
  });

  it('answers null for no key, a key with other transform parameters (Directus refuses those), or a non-string', () => {
    expect(requestedKey({})).toBeNull();
    expect(requestedKey({ width: '10' })).toBeNull();
    expect(requestedKey({ key: 'thumbnail', width: '10' })).toBeNull();
    expect(requestedKey({ key: 'thumbnail', focal_point_x: '1' })).toBeNull();
    expect(requestedKey({ key: ['a', 'b'] })).toBeNull();
    expect(requestedKey({ key: '' })).toBeNull();
    expect(requestedKey({ key: 'x'.repeat(201) })).toBeNull();
  });
});

/** A clock that advances only when slept on, and the records each read returns in turn (the last one repeats). */
function fakeHold(states: RenditionRecord[][], gone = () => false) {
  let time = 0;
  let reads = 0;
  return {
    reads: () => reads,
    elapsed: () => time,
    read: async () => states[Math.min(reads++, states.length - 1)]!,
    clock: {
      now: () => time,
      sleep: async (ms: number) => {
        time += ms;
      },
      gone,
    },
  };
}

describe('holding a system key while the renders run', () => {
  it('holds only system keys that would wait', () => {
    const wait = { kind: 'wait', retryAfterSeconds: RETRY_AFTER_SECONDS } as const;
    expect(shouldHold(wait, 'system-small-cover')).toBe(true);
    expect(shouldHold(wait, 'thumbnail')).toBe(false);
    expect(shouldHold({ kind: 'pass' }, 'system-small-cover')).toBe(false);
    expect(shouldHold({ kind: 'refuse', reason: 'timed out' }, 'system-small-cover')).toBe(false);
  });

  it('answers as soon as the renders settle: ready passes, failed refuses', async () => {
    const ready = fakeHold([[record('full', 'pending')], [record('full', 'pending')], [record('full', 'ready')]]);
    expect(await answerAfterHold(ready.read, 'system-small-cover', ready.clock)).toEqual({ kind: 'pass' });
    expect(ready.reads()).toBe(3);
    expect(ready.elapsed()).toBe(2 * HOLD_POLL_MS);

    const failed = fakeHold([[record('full', 'pending')], [record('full', 'failed', 'timed out')]]);
    expect(await answerAfterHold(failed.read, 'system-small-cover', failed.clock)).toEqual({
      kind: 'refuse',
      reason: 'timed out',
    });
  });

  it('gives up after the hold with the 503 answer, never sleeping past it', async () => {
    const stuck = fakeHold([[record('full', 'pending')]]);
    expect(await answerAfterHold(stuck.read, 'system-small-cover', stuck.clock, 1000, 300)).toEqual({
      kind: 'wait',
      retryAfterSeconds: RETRY_AFTER_SECONDS,
    });
    expect(stuck.elapsed()).toBe(1000);
    expect(stuck.reads()).toBe(5); // at 0, 300, 600, 900 and 1000 ms
    expect(SYSTEM_KEY_HOLD_MS).toBeGreaterThan(HOLD_POLL_MS);
  });

  it('stops reading once the client has gone', async () => {
    let gone = false;
    const left = fakeHold([[record('full', 'pending')]], () => gone);
    const answer = answerAfterHold(left.read, 'system-small-cover', {
      ...left.clock,
      sleep: async (ms) => {
        await left.clock.sleep(ms);
        gone = true;
      },
    });
    expect((await answer).kind).toBe('wait');
    expect(left.reads()).toBe(2);
  });
});
