// Version avif-effort (issue 15, item 4): sharp's transform timeout does not stop an AVIF encode, and an encode at
// sharp's default effort (4) of an image made to be hard to compress (noise) took 7 s at the card size and about a
// minute at the full size on this 2-core machine. Each AVIF preset now encodes at effort 0 (sharp's fastest): the
// same noise took 0.2 s and 1.5 s, for files a few per cent larger (docs/benchmarks.md "Image transforms").
// The preset's transforms run before Directus's own toFormat('avif', { quality }), which keeps the effort set here.
import { ASSET_PRESETS } from './asset-presets.js';
import type { VersionAuthor } from './types.js';

/** sharp's AVIF effort for the presets: 0 (fastest) to 9 (slowest). */
export const AVIF_EFFORT = 0;

export const CURRENT_ASSET_PRESETS = ASSET_PRESETS.map((preset) =>
  preset.format === 'avif'
    ? { ...preset, transforms: [['avif', { effort: AVIF_EFFORT }]] as Array<[string, ...unknown[]]> }
    : preset,
);

export const version: VersionAuthor = {
  name: 'avif-effort',
  async author(send, log) {
    await send('PATCH', '/settings', { storage_asset_presets: CURRENT_ASSET_PRESETS });
    log(`settings: the ${CURRENT_ASSET_PRESETS.filter((p) => p.format === 'avif').length} AVIF presets at effort 0`);
  },
};
