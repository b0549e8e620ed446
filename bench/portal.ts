/**
 * Portal benchmark: a screen's answer (the click's POST /portal/api/input → the next view, which the `input`
 * update returns) with N concurrent portal sessions, a session's start (POST /portal/api/session → its first
 * screen), and, with --browser, the same click measured in Chromium until the next screen is rendered.
 *
 *   npx tsx bench/portal.ts --sessions 50 [--duration-s 30] [--think-ms 1000] [--restart-every 0]
 *                           [--url http://localhost:3000] [--browser] [--json]
 *
 * Without --url it starts the in-process local stack (dev server, worker, API with the portal, simulators); with
 * --url it drives a running `npm start`. Each session opens the portal, clicks "rendez-vous" (C0 → C1), then
 * clicks "répéter" on the phone screen again and again (a turn of the session with no backend call), a think time
 * apart. Starts are timed when the sessions open (all at once) and, with --restart-every N, again every N clicks
 * of each session (a restart: a new session and its first screen, then "rendez-vous" again). Progress on stderr; stdout holds the table, or one JSON object with --json. Exit 1 when a click failed.
 */
// First: LOG_LEVEL set before the product's modules below make their loggers.
import './lib/warn-logs';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { startLocalStack, type LocalStack } from '../stack/local-stack';
import { percentile, round } from './lib/stats';

const argsSchema = z.object({
  sessions: z.coerce.number().int().min(1).max(500).default(50),
  'duration-s': z.coerce.number().positive().max(600).default(30),
  'think-ms': z.coerce.number().int().min(0).max(60_000).default(1000),
  'restart-every': z.coerce.number().int().min(0).max(10_000).default(0),
  url: z.url().optional(),
  browser: z.boolean().default(false),
  json: z.boolean().default(false),
});

class Session {
  private cookie = '';
  constructor(private readonly base: string) {}

  async post(path: string, body: unknown): Promise<{ state: string; turn: number }> {
    const res = await fetch(this.base + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(this.cookie ? { cookie: this.cookie } : {}) },
      body: JSON.stringify(body),
    });
    const set = res.headers.getSetCookie()[0];
    if (set) this.cookie = set.split(';')[0]!;
    const json = (await res.json()) as { view?: { state: string; turn: number }; error?: { code: string } };
    if (!res.ok || !json.view) throw new Error(`${path}: HTTP ${res.status} ${json.error?.code ?? ''}`);
    return json.view;
  }

  click(choice: string) {
    return this.post('/portal/api/input', { eventId: crypto.randomUUID(), choice });
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function browserClicks(base: string, until: number): Promise<number[]> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
  const samples: number[] = [];
  try {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${base}/portal`);
    await page.waitForSelector('article[data-state="ivr.entry"]');
    await page.click('button[data-choice="take_appointment"]');
    await page.waitForSelector('article[data-state="ivr.auth.phone_capture"]');
    while (Date.now() < until) {
      const turn = await page.getAttribute('article[data-turn]', 'data-turn');
      const t0 = performance.now();
      await page.click('button[data-choice="repeat"]');
      // The next view is rendered when the screen shows the next turn with its buttons live again.
      await page.waitForSelector(`article[data-turn="${Number(turn) + 1}"] button[data-choice="repeat"]:not([disabled])`, { timeout: 30_000 });
      samples.push(performance.now() - t0);
      await sleep(500);
    }
  } finally {
    await browser.close();
  }
  return samples;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      sessions: { type: 'string' }, 'duration-s': { type: 'string' }, 'think-ms': { type: 'string' }, 'restart-every': { type: 'string' }, url: { type: 'string' },
      browser: { type: 'boolean' }, json: { type: 'boolean' },
    },
  });
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`bench:portal: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}\n`);
    return 2;
  }
  const args = parsed.data;
  let stack: LocalStack | undefined;
  const base = args.url ?? (stack = await startLocalStack({ apiStoreDir: 'memory://', taskQueue: `bench-portal-${process.pid}` })).apiUrl;
  const samples: number[] = [];
  const starts: number[] = [];
  const errors: string[] = [];
  try {
    process.stderr.write(`[bench:portal] ${args.sessions} sessions on ${base}, ${args['duration-s']} s, think ${args['think-ms']} ms, restart every ${args['restart-every'] || '–'} clicks\n`);
    const sessions = Array.from({ length: args.sessions }, () => new Session(base));
    /** A start (or restart) timed to its first screen, then "rendez-vous" to the phone screen the clicks repeat on. */
    const open = async (s: Session, restart: boolean) => {
      const t0 = performance.now();
      const v = await s.post('/portal/api/session', restart ? { restart: true } : {});
      if (v.state !== 'ivr.entry' || v.turn !== 0) throw new Error(`start answered ${v.state} at turn ${v.turn}`);
      starts.push(performance.now() - t0);
      await s.click('take_appointment');
    };
    await Promise.all(sessions.map((s) => open(s, false)));
    const until = Date.now() + args['duration-s'] * 1000;
    const browser = args.browser ? browserClicks(base, until) : Promise.resolve([]);
    await Promise.all(sessions.map(async (s, i) => {
      await sleep((args['think-ms'] * i) / args.sessions);
      for (let n = 1; Date.now() < until; n++) {
        if (args['restart-every'] > 0 && n % args['restart-every'] === 0) {
          try {
            await open(s, true);
          } catch (err) {
            errors.push(err instanceof Error ? err.message : String(err));
          }
          await sleep(args['think-ms']);
          continue;
        }
        const t0 = performance.now();
        try {
          const v = await s.click('repeat');
          if (v.state !== 'ivr.auth.phone_capture') throw new Error(`unexpected state ${v.state}`);
          samples.push(performance.now() - t0);
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
        await sleep(args['think-ms']);
      }
    }));
    const rendered = await browser;
    const result = {
      sessions: args.sessions,
      durationS: args['duration-s'],
      clicks: samples.length,
      errors: errors.length,
      firstError: errors[0] ?? null,
      p50Ms: round(percentile(samples, 50), 1),
      p99Ms: round(percentile(samples, 99), 1),
      starts: { count: starts.length, p50Ms: round(percentile(starts, 50), 1), p99Ms: round(percentile(starts, 99), 1) },
      browser: args.browser ? { clicks: rendered.length, p50Ms: round(percentile(rendered, 50), 1), p99Ms: round(percentile(rendered, 99), 1) } : null,
      goal: { p50Ms: 150, p99Ms: 400 },
    };
    if (args.json) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      process.stdout.write(`| measure | sessions | clicks | p50 | p99 | errors |\n| --- | --- | --- | --- | --- | --- |\n`);
      process.stdout.write(`| click → view (HTTP) | ${result.sessions} | ${result.clicks} | ${result.p50Ms} ms | ${result.p99Ms} ms | ${result.errors} |\n`);
      process.stdout.write(`| start → first screen (HTTP) | ${result.sessions} | ${result.starts.count} | ${result.starts.p50Ms} ms | ${result.starts.p99Ms} ms | – |\n`);
      if (result.browser) process.stdout.write(`| click → screen rendered (Chromium, 1 of them) | ${result.sessions} | ${result.browser.clicks} | ${result.browser.p50Ms} ms | ${result.browser.p99Ms} ms | – |\n`);
    }
    return errors.length > 0 ? 1 : 0;
  } finally {
    await stack?.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench:portal failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
