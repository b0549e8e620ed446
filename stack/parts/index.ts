/**
 * The parts of the supervised local stack, each run in a process of its own by part-main.ts:
 *   temporal  the Temporal dev server (pinned binary first), with its UI and database file
 *   sims      the simulators of the peers that are not configured (Odoo, Brevo, OpenAI-compatible; peers.ts)
 *   codec     the codec server the UI and the CLI decrypt payloads through
 *   api       the backend API with the voice → CRM routes
 *   worker    the session worker
 * A part's configuration comes as JSON (validated here); secrets come through its environment, never its argv.
 */
import type { PartRunner } from './common';

export type { PartRunner, RunningPartHandle } from './common';

/** Each part's module is loaded only in the process that runs it (a worker process never loads the API). */
const PART_FILES = {
  temporal: './temporal',
  sims: './sims',
  codec: './codec',
  api: './api',
  worker: './worker',
} as const;

export type PartName = keyof typeof PART_FILES;
export const PART_NAMES = Object.keys(PART_FILES) as PartName[];

export function isPartName(name: string): name is PartName {
  return Object.hasOwn(PART_FILES, name);
}

export function loadPart(name: PartName): PartRunner {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- tsx's require hook compiles a part's TypeScript on demand; import() would bypass it
  const mod: unknown = require(PART_FILES[name]);
  const run = typeof mod === 'object' && mod !== null ? (mod as { run?: unknown }).run : undefined;
  if (typeof run !== 'function') throw new Error(`stack/parts/${PART_FILES[name].slice(2)}.ts must export run(config, env)`);
  return run as PartRunner;
}
