// A benchmark's command line: its size options, each with a full default and a smoke default, and `--smoke`, the
// tiny size CI runs to prove every bench still works (its figures mean nothing and no bound is checked). Pure.
import { parseArgs } from 'node:util';

export interface SizeOption {
  full: string;
  smoke: string;
}

export interface BenchOptions<K extends string> {
  smoke: boolean;
  values: Record<K, string>;
}

/** Reads argv: an explicit option wins, else the smoke default under --smoke, else the full default. */
export function readBenchOptions<K extends string>(
  sizes: Record<K, SizeOption>,
  argv: string[] = process.argv.slice(2),
): BenchOptions<K> {
  const options = Object.fromEntries(Object.keys(sizes).map((name) => [name, { type: 'string' as const }]));
  // strict: an option this bench does not know (e.g. a size it lacks) stops it instead of being ignored.
  const { values } = parseArgs({ args: argv, options: { ...options, smoke: { type: 'boolean' } }, strict: true });
  const smoke = values.smoke === true;
  const picked = Object.fromEntries(
    (Object.entries(sizes) as Array<[K, SizeOption]>).map(([name, size]) => [
      name,
      (values as Record<string, string | undefined>)[name] ?? (smoke ? size.smoke : size.full),
    ]),
  ) as Record<K, string>;
  return { smoke, values: picked };
}

/** A whole number ≥ min, or an error naming the option. */
export function wholeNumber(name: string, value: string, min = 1): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min)
    throw new Error(`--${name} must be a whole number ≥ ${min}, got ${value}`);
  return number;
}

/** The line a smoke run ends with, so nobody quotes its figures. */
export const SMOKE_NOTE =
  'smoke run (--smoke): the bench works; its figures are not measurements and no bound is checked';
