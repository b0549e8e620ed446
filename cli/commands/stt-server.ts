/**
 * `ivr stt-server`: a local, OpenAI-compatible speech-to-text server (stt-server/server.py on faster-whisper) that
 * needs no cloud account. It installs its virtualenv and model when asked or when they are missing
 * (scripts/install-stt.sh), starts the Python process, prints how to point the project at it, and stops it on
 * Ctrl-C / SIGTERM. Opt-in: the project's default stays the OpenAI simulator or the real API.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { usageOf, type CliCommand } from '../command';

const USAGE = usageOf('stt-server');
const ROOT = path.join(__dirname, '..', '..');
export const STT_VENV = path.join(ROOT, '.cache', 'stt-venv');
export const STT_DEFAULT_MODEL_DIR = path.join(ROOT, '.cache', 'stt-models', 'whisper-base');
const INSTALL_SCRIPT = path.join(ROOT, 'scripts', 'install-stt.sh');
const SERVER_SCRIPT = path.join(ROOT, 'stt-server', 'server.py');
/** Loading the model takes 1–4 s here; generous for a loaded machine. */
const READY_TIMEOUT_MS = 120_000;

const Args = z.object({
  port: z.coerce.number({ message: '--port must be a number' }).int().min(0).max(65535, '--port must be 0–65535').default(8300),
  host: z.string().min(1).default('127.0.0.1'),
  'model-dir': z.string().min(1).optional(),
  'decode-timeout': z.coerce.number({ message: '--decode-timeout must be a number of seconds' }).positive('--decode-timeout must be above 0').max(600).default(10),
  install: z.boolean().default(false),
});
type Args = z.infer<typeof Args>;

/** The JSON line server.py prints on stdout once the model is loaded and the socket listens. */
const ReadyLine = z.object({ event: z.literal('listening'), host: z.string(), port: z.number().int(), model: z.string() });

export const command: CliCommand = {
  async run(argv) {
    let args: Args;
    try {
      const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
          port: { type: 'string' },
          host: { type: 'string' },
          'model-dir': { type: 'string' },
          'decode-timeout': { type: 'string' },
          install: { type: 'boolean' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        process.stdout.write(`ivr ${USAGE}\n`);
        return 0;
      }
      const parsed = Args.safeParse(values);
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
      args = parsed.data;
    } catch (err) {
      process.stderr.write(`ivr stt-server: ${(err as Error).message}\nusage: ivr ${USAGE}\n`);
      return 2;
    }
    return serve(args);
  },
};

function installed(): boolean {
  return fs.existsSync(path.join(STT_VENV, 'bin', 'python')) && fs.existsSync(path.join(STT_VENV, '.installed'));
}

async function serve(args: Args): Promise<number> {
  const say = (s: string) => process.stderr.write(`[stt-server] ${s}\n`);
  const modelDir = path.resolve(args['model-dir'] ?? process.env.STT_MODEL_DIR ?? STT_DEFAULT_MODEL_DIR);
  const bundledModel = modelDir === STT_DEFAULT_MODEL_DIR;
  // The script is quick when everything is in place, so --install always runs it (it also repairs a stale venv).
  if (args.install || !installed() || (bundledModel && !fs.existsSync(path.join(modelDir, 'model.bin')))) {
    if (!args.install) say(`the local speech-to-text server is not installed yet: installing it into ${path.relative(ROOT, STT_VENV)} (once; about a minute)`);
    const r = spawnSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
    if (r.status !== 0) {
      say(`installation failed (scripts/install-stt.sh exited ${r.status ?? r.signal}); fix what it said and run \`npx ivr stt-server --install\``);
      return 1;
    }
  }
  if (!fs.existsSync(path.join(modelDir, 'model.bin'))) {
    say(`no model.bin in ${modelDir}: --model-dir (or STT_MODEL_DIR) must name a CTranslate2 Whisper folder (model.bin, config.json, tokenizer.json, vocabulary.json)`);
    return 2;
  }
  const loopback = /^(127\.|::1$|localhost$)/.test(args.host);
  if (!loopback && !process.env.STT_SERVER_API_KEY) {
    say(`listening on ${args.host} without STT_SERVER_API_KEY: anyone who reaches this address can use the server`);
  }

  const started = Date.now();
  const serverArgs = [
    SERVER_SCRIPT,
    ...['--host', args.host, '--port', String(args.port), '--decode-timeout', String(args['decode-timeout'])],
    ...['--model-dir', modelDir, '--model-id', bundledModel ? 'whisper-base' : path.basename(modelDir)],
    '--exit-with-stdin',
  ];
  // stdin stays open while this process lives: its end tells the server that the launcher is gone (even killed).
  const child = spawn(path.join(STT_VENV, 'bin', 'python'), serverArgs, { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      say(`cannot start ${path.join(STT_VENV, 'bin', 'python')}: ${err.message}; reinstall with \`npx ivr stt-server --install\``);
      resolve(1);
    });
  });

  let stopping = false;
  let asked = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    child.kill('SIGTERM');
    // A decode in progress finishes within the server's time limit; past that, no waiting.
    setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
  };
  const onSignal = () => {
    asked = true;
    stop();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const lines = readline.createInterface({ input: child.stdout });
  const ready = new Promise<z.infer<typeof ReadyLine> | undefined>((resolve) => {
    lines.on('line', (line) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = undefined;
      }
      const r = ReadyLine.safeParse(parsed);
      if (r.success) resolve(r.data);
      else process.stdout.write(`${line}\n`);
    });
    lines.on('close', () => resolve(undefined));
    setTimeout(() => resolve(undefined), READY_TIMEOUT_MS).unref();
  });
  const first = await Promise.race([ready, exited.then(() => undefined)]);
  if (!first) {
    stop();
    const code = await exited;
    if (asked) return 0;
    say(`the server did not start (exit ${code}); see its messages above`);
    return 1;
  }
  const host = first.host.includes(':') ? `[${first.host}]` : first.host;
  const url = `http://${host}:${first.port}/v1`;
  process.stdout.write(
    [
      `stt-server: ${first.model} listening on ${url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
      'Point the project at it (the key is required by the client, any value works unless STT_SERVER_API_KEY is set):',
      `  OPENAI_BASE_URL=${url} OPENAI_API_KEY=local STT_MODEL=whisper-1 STT_LANGUAGE=fr npx ivr voice-worker`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  const code = await exited;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  if (stopping) {
    if (code === 0) return 0;
    say(`the server did not stop cleanly (exit ${code}); see its messages above`);
    return 1;
  }
  say(`the server stopped by itself (exit ${code})`);
  return 1;
}
