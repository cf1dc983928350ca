// Version asset-presets (issue 15, item 4): images are transformed only through named presets, so no request can
// ask for a costly transform (a 6000×6000 AVIF at quality 100, or five chained operations on every attachment).
// Directus's own `storage_asset_transform: presets` refuses any other query with a 400, except its system keys,
// which the admin app's thumbnails use. The sizes are the service desk's (list thumbnails, article cards, a full
// view); the settings live in the domain's line because the platform's line does not capture directus_settings.
import type { VersionAuthor } from './types.js';

type Preset = {
  key: string;
  fit: 'cover' | 'contain' | 'inside' | 'outside';
  width: number;
  height: number | null;
  quality: number;
  withoutEnlargement: boolean;
  format: 'webp' | 'avif';
  transforms: [];
};

const preset = (key: string, fit: Preset['fit'], width: number, height: number | null, quality: number): Preset[] => [
  { key, fit, width, height, quality, withoutEnlargement: true, format: 'webp', transforms: [] },
  // AVIF costs many times WebP to encode (npm run bench:assets): its own, opt-in key.
  { key: `${key}-avif`, fit, width, height, quality, withoutEnlargement: true, format: 'avif', transforms: [] },
];

export const ASSET_PRESETS: Preset[] = [
  ...preset('thumbnail', 'cover', 200, 200, 75),
  ...preset('card', 'cover', 640, 360, 80),
  ...preset('full', 'inside', 1920, 1920, 82),
];

export const settings = { storage_asset_transform: 'presets', storage_asset_presets: ASSET_PRESETS };

export const version: VersionAuthor = {
  name: 'asset-presets',
  async author(send, log) {
    await send('PATCH', '/settings', settings);
    log(`settings: image transforms through ${ASSET_PRESETS.length} presets only`);
  },
};
