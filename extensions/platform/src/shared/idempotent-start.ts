// Starting a background run at most once per user and Idempotency-Key (imports and exports): the run table has a
// unique index on the request key, so of two concurrent twins one inserts and the other answers its run.
import { ConflictError } from './errors.js';
import { earlierRun } from './core/idempotency.js';

/**
 * The run the key already started (if the request is the same; another request is a 409 with `conflict` as its
 * reason), or null once `start` has stored a new run. `start` inserts the run with its request key (and enqueues its
 * job) in one transaction; a twin that committed first makes it fail on the unique index, and its run is answered.
 */
export async function startOnce<Run extends { fingerprint: string }>(input: {
  requestKey: string | null;
  fingerprint: string;
  conflict: string;
  find: (requestKey: string) => Promise<Run | null>;
  start: () => Promise<void>;
}): Promise<Run | null> {
  const { requestKey, fingerprint } = input;
  const earlier = async () => {
    const found = earlierRun(requestKey ? await input.find(requestKey) : null, fingerprint);
    if (found.kind === 'conflict') throw new ConflictError({ reason: input.conflict });
    return found.kind === 'same' ? found.run : null;
  };
  const first = await earlier();
  if (first) return first;
  try {
    await input.start();
    return null;
  } catch (error) {
    const twin = (error as { code?: string }).code === '23505' ? await earlier() : null;
    if (twin) return twin;
    throw error;
  }
}
