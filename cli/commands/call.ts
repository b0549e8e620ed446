/**
 * `ivr call`: a phone call from the terminal against a running local stack (Temporal + session worker + backend,
 * e.g. `npm start`). This command brings the FreeSWITCH side itself: an ESL simulator with the esl-bridge and a voice
 * worker connected to it, and an OpenAI-compatible simulator for speech, so the call takes the real voice path.
 * Prompts are printed (and spoken with espeak-ng when it is installed); type keys (0-9 * #) or a phrase; q hangs up.
 * A `🎙` line shows when the session listens (its no-input timeout and what it expects), and with --brevo (or
 * BREVO_BASE_URL) naming the stack's Brevo simulator, the messages sent to the caller are printed with their code.
 */
// First: only warnings from the product's own logs, set before the modules below make their loggers.
import '../warn-logs';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { synthesize } from '../../activities/voice/tts';
import { dataConverter } from '../../lib/codec/data-converter';
import { loadMachine } from '../../lib/machine/loader';
import { createTranscriber } from '../../lib/stt/transcriber';
import { SESSION_TASK_QUEUE } from '../../sessions/start';
import { readBrevoOutbox, type OutboxEntry } from '../../stack/peers';
import { startOpenAiSimulator } from '../../sim/openai';
import { startSimNode } from '../../stack/sim-node';
import type { ListenSpec } from '../../workflows/engine/types';
import { viewQuery } from '../../workflows/session-api';
import { endingLine } from '../../lib/machine/outcome-summary';
import { usageOf, type CliCommand } from '../command';
import { SpokenTranscripts, waitsForCaller } from '../simulate/drivers/voice';

const USAGE = usageOf('call');

const Args = z.object({
  machine: z.string().min(1).default(process.env.MACHINE_FILE ?? 'machines/rdv-ivr.yaml'),
  caller: z.string().regex(/^\+?\d{4,16}$/, '--caller must be a phone number such as +33612345678').default('+33612345678'),
  temporal: z.string().min(1).optional(),
  'task-queue': z.string().min(1).optional(),
  fast: z.boolean().default(false),
  mute: z.boolean().default(false),
  brevo: z.url({ message: '--brevo must be the URL of the Brevo simulator, e.g. http://127.0.0.1:4010' }).optional(),
});

export const command: CliCommand = {
  async run(argv) {
    let args: z.infer<typeof Args>;
    try {
      const { values } = parseArgs({
        args: argv,
        strict: true,
        options: {
          machine: { type: 'string' },
          caller: { type: 'string' },
          temporal: { type: 'string' },
          'task-queue': { type: 'string' },
          fast: { type: 'boolean' },
          mute: { type: 'boolean' },
          brevo: { type: 'string' },
          help: { type: 'boolean', short: 'h' },
        },
      });
      if (values.help) {
        process.stdout.write(`ivr ${USAGE}\n`);
        return 0;
      }
      const brevo = values.brevo ?? process.env.BREVO_BASE_URL?.trim();
      const parsed = Args.safeParse({ ...values, ...(brevo ? { brevo } : {}) });
      if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
      args = parsed.data;
    } catch (err) {
      process.stderr.write(`ivr call: ${(err as Error).message}\nusage: ivr ${USAGE}\n`);
      return 2;
    }
    const address = args.temporal ?? process.env.TEMPORAL_ADDRESS;
    if (!address) {
      process.stderr.write('ivr call: no running stack: start it (npm start) and pass --temporal HOST:PORT or set TEMPORAL_ADDRESS to its Temporal address\n');
      return 2;
    }
    return runCall({ ...args, address });
  },
};

/** The line that tells the caller it is their turn: the no-input timeout and what the session expects. */
export function listeningLine(listen: ListenSpec | undefined): string {
  if (!listen) return '🎙  à vous';
  const parts: string[] = [];
  const c = listen.collect;
  if (c) {
    const digits = c.length ? `${c.length} chiffres` : 'des chiffres';
    const end = c.terminator ? ` puis ${c.terminator}` : '';
    parts.push(c.mode === 'phone' ? `numéro au clavier${end}, ou dites-le` : c.mode === 'otp' ? `code : ${digits}${end}` : `${c.mode}${listen.allowDtmf ? ` (clavier${end})` : ''}`);
  }
  const keys = listen.choices.filter((ch) => ch.dtmf.length > 0).map((ch) => `${ch.dtmf.join('/')} ${ch.label}`);
  if (keys.length) parts.push(keys.join(' · '));
  if (!listen.allowDtmf) parts.push('parole seulement');
  return `🎙  à vous (${listen.timeoutSec} s)${parts.length ? ` — ${parts.join(' — ')}` : ''}`;
}

const digitsOf = (s: string) => s.replace(/\D/g, '');

/** What a sent message shows in the call: channel, recipient, and the code it carries (4–8 digits), if any. */
export function sentLine(m: OutboxEntry, caller: string): string | undefined {
  if (!m.to.some((t) => digitsOf(t) === digitsOf(caller))) return undefined;
  const text = [m.content, m.text, m.subject].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  const code = /\b(\d{4,8})\b/.exec(text)?.[1];
  const what = code ? `code ${code}` : `« ${text.length > 90 ? `${text.slice(0, 89)}…` : text} »`;
  return `✉  ${m.channel.toUpperCase()} au ${caller} : ${what}`;
}

async function runCall(a: z.infer<typeof Args> & { address: string }): Promise<number> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const machine = loadMachine(a.machine);
  const native = await NativeConnection.connect({ address: a.address });
  const connection = await Connection.connect({ address: a.address });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const openai = await startOpenAiSimulator({ apiKey: 'sk-ivr-call' });
  const node = await startSimNode({
    client,
    connection: native,
    machine,
    sessionTaskQueue: a['task-queue'] ?? SESSION_TASK_QUEUE,
    transcriber: createTranscriber({ apiKey: 'sk-ivr-call', baseURL: openai.url, model: 'whisper-1', language: 'fr', timeoutMs: 10_000, maxRetries: 0, maxDurationSeconds: 60, promptMaxChars: 400 }),
    node: `call${process.pid}`,
    timeScale: a.fast ? 0.1 : 1,
  });
  const transcripts = new SpokenTranscripts(openai);
  const speaker = !a.mute && spawnSync('espeak-ng', ['--version']).status === 0;
  let voice: ReturnType<typeof spawn> | undefined;
  const speak = (text: string) => {
    if (!speaker) return;
    voice?.kill();
    voice = spawn('espeak-ng', ['-v', 'fr', '-s', '165', '--', text], { stdio: 'ignore' });
    voice.on('error', () => undefined);
  };

  const out = (s: string) => process.stdout.write(`${s}\n`);
  const call = await node.sim.placeCall({ callerIdNumber: a.caller, destinationNumber: node.destination });
  transcripts.attach(call);
  const handle = client.workflow.getHandle(`voice-${call.uuid}`);
  out(`☎  call ${call.uuid} on ${machine.name} ${machine.version} (workflow voice-${call.uuid})`);
  out('   type keys (0-9 * #) or a phrase, then Enter; q hangs up');
  // Messages already in the simulator's outbox belong to earlier calls.
  let outbox: { url: string; seen: Set<string> } | undefined;
  if (a.brevo) {
    try {
      outbox = { url: a.brevo, seen: new Set((await readBrevoOutbox(a.brevo)).map((m) => m.messageId)) };
    } catch (err) {
      out(`   (codes sent by SMS will not be shown: ${(err as Error).message})`);
    }
  } else {
    out("   (to see the codes sent by SMS, pass --brevo <the Brevo simulator's URL from npm start's banner>)");
  }
  const pollOutbox = async () => {
    if (!outbox) return;
    let entries: OutboxEntry[];
    try {
      entries = await readBrevoOutbox(outbox.url);
    } catch (err) {
      out(`   (stopped reading the Brevo outbox: ${(err as Error).message})`);
      outbox = undefined;
      return;
    }
    for (const m of entries) {
      if (outbox.seen.has(m.messageId)) continue;
      outbox.seen.add(m.messageId);
      const line = sentLine(m, a.caller);
      if (line) out(line);
    }
  };

  let printedTurn = -1;
  let printed = 0;
  let state = '';
  let ended = false;
  // A 🎙 line follows new prompts (or a new state): keys of a code being typed do not repeat it.
  let announce = true;
  let tick = 0;
  const watch = (async () => {
    while (!ended) {
      if (tick++ % 4 === 0) await pollOutbox();
      const v = await handle.query(viewQuery).catch(() => undefined);
      if (v) {
        if (v.state !== state) {
          state = v.state;
          announce = true;
          out(`   [${state}]`);
        }
        // `prompts` holds what was said since the last input: print what is new in it.
        if (v.turn !== printedTurn) {
          printedTurn = v.turn;
          printed = 0;
        }
        for (const p of v.prompts.slice(printed)) {
          out(`🔊 ${p}`);
          speak(p);
          announce = true;
        }
        printed = Math.max(printed, v.prompts.length);
        // When every prompt of the turn is out and the session waits for the caller (capture armed, turn held).
        if (v.listening && !v.ended && announce && (await waitsForCaller(node.bridge, call, handle).catch(() => false))) {
          announce = false;
          out(listeningLine(v.listen));
        }
        if (v.ended) {
          out(`■  ${endingLine(v.ended)}`);
          ended = true;
        }
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  })();

  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: false });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-call-'));
  rl.on('line', (raw) => {
    const line = raw.trim();
    if (!line || ended) return;
    if (line === 'q') {
      void call.hangup('NORMAL_CLEARING');
      return;
    }
    if (/^[0-9*#A-D]+$/i.test(line)) {
      void call.press(line.toUpperCase());
      return;
    }
    const file = path.join(tmp, `${Date.now()}.wav`);
    synthesize('espeak-ng', 'fr', 165, line, file).then(
      () => {
        transcripts.expect(call.uuid, line);
        call.speak(fs.readFileSync(file));
      },
      (err: Error) => out(`   (cannot synthesize speech: ${err.message}; use keys)`),
    );
  });
  rl.on('close', () => {
    if (!call.hungUp) void call.hangup('NORMAL_CLEARING');
  });

  await call.ended;
  await new Promise((r) => setTimeout(r, 500));
  await pollOutbox();
  ended = true;
  await watch;
  rl.close();
  voice?.kill();
  await node.stop();
  await openai.stop();
  await native.close();
  await connection.close();
  fs.rmSync(tmp, { recursive: true, force: true });
  return 0;
}
