/**
 * `ivr call` as a person uses it: the local stack (session worker, API, Odoo and Brevo simulators) runs here on the
 * run's dev server, `ivr call` runs as a child process with its stdin typed into. It must say when the session
 * listens (🎙 with the no-input timeout) and print the code the simulated SMS carried, which then opens the account.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { listeningLine, sentLine } from '../../cli/commands/call';
import { startLocalStack, type LocalStack } from '../../stack/local-stack';
import type { ListenSpec } from '../../workflows/engine/types';
import { traceQuery } from '../../workflows/session-api';

jest.setTimeout(180_000);

const root = path.join(__dirname, '..', '..');
const CALLER = '+33612345678';

describe('listeningLine and sentLine', () => {
  const base: ListenSpec = { timeoutSec: 6, allowDtmf: true, choices: [], hints: [] };

  test('the turn line shows the no-input timeout and what is expected', () => {
    expect(listeningLine(base)).toBe('🎙  à vous (6 s)');
    expect(listeningLine({ ...base, choices: [{ id: 'take', label: 'prendre rendez-vous', dtmf: ['1'] }, { id: 'op', label: 'conseiller', dtmf: ['0'] }] })).toBe(
      '🎙  à vous (6 s) — 1 prendre rendez-vous · 0 conseiller',
    );
    expect(listeningLine({ ...base, timeoutSec: 8, collect: { mode: 'otp', length: 6, terminator: '#' } })).toBe('🎙  à vous (8 s) — code : 6 chiffres puis #');
    expect(listeningLine({ ...base, allowDtmf: false })).toBe('🎙  à vous (6 s) — parole seulement');
  });

  test('a message to the caller shows its code; one to someone else is not shown', () => {
    const sms = { messageId: 'm1', channel: 'sms' as const, to: ['33612345678'], content: 'Votre code de connexion : 482913. Il expire dans 10 minutes.' };
    expect(sentLine(sms, CALLER)).toBe(`✉  SMS au ${CALLER} : code 482913`);
    expect(sentLine({ ...sms, to: ['33699999999'] }, CALLER)).toBeUndefined();
    expect(sentLine({ ...sms, content: 'Votre lien : https://x.example/l/abc' }, CALLER)).toBe(`✉  SMS au ${CALLER} : « Votre lien : https://x.example/l/abc »`);
  });
});

describe('ivr call on the local stack', () => {
  let stack: LocalStack;
  let child: ChildProcessWithoutNullStreams | undefined;
  let out = '';

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', RATE_OTP_PER_PHONE: '1000' };
    for (const v of ['ODOO_URL', 'BREVO_API_KEY', 'BREVO_BASE_URL', 'OPENAI_API_KEY', 'OPENAI_BASE_URL']) delete env[v];
    stack = await startLocalStack({ env, taskQueue: `call-cli-${process.pid}`, apiStoreDir: 'memory://' });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    await stack?.stop();
  });

  /** Waits until the output after `from` matches; returns the match and where it ends. */
  async function waitFor(pattern: RegExp, from: number, limitMs = 60_000): Promise<{ m: RegExpExecArray; end: number }> {
    const until = Date.now() + limitMs;
    for (;;) {
      const tail = out.slice(from);
      const m = pattern.exec(tail);
      if (m) return { m, end: from + m.index + m[0].length };
      if (Date.now() > until) throw new Error(`no ${pattern} in ivr call's output within ${limitMs} ms; it printed:\n${out}`);
      if (child?.exitCode !== null) throw new Error(`ivr call exited (${child?.exitCode}) before ${pattern}; it printed:\n${out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('shows each turn it listens, prints the SMS code, and the code typed opens the account', async () => {
    const args = [path.join(root, 'bin', 'ivr.js'), 'call', '--temporal', stack.temporal.address, '--task-queue', stack.taskQueue, '--caller', CALLER, '--brevo', stack.peers.brevo.url, '--mute', '--fast'];
    child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, LOG_LEVEL: 'warn' } });
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const type = (line: string) => child!.stdin.write(`${line}\n`);

    // The welcome menu: the line comes once its prompts are out, with the state's no-input timeout.
    let at = (await waitFor(/\[ivr\.entry\]/, 0)).end;
    const welcome = await waitFor(/🎙  à vous \((\d+) s\)[^\n]*/, at);
    expect(Number(welcome.m[1])).toBeGreaterThan(0);
    expect(welcome.m[0]).toMatch(/1 /); // its keys are listed
    type('1');

    at = (await waitFor(/\[ivr\.auth\.phone_capture\]/, welcome.end)).end;
    at = (await waitFor(/🎙  à vous \(\d+ s\) — numéro au clavier/, at)).end;
    type('0612345678#');

    // The SMS line may come before or after the state line: both follow the typed number.
    const sms = await waitFor(/✉  SMS au \+33612345678 : code (\d{6})/, at);
    at = (await waitFor(/\[ivr\.auth\.verify_otp\]/, at)).end;
    at = (await waitFor(/🎙  à vous \(\d+ s\) — code : 6 chiffres/, at)).end;
    type(`${sms.m[1]}#`);

    // The right code leads on to the consent question.
    at = (await waitFor(/\[ivr\.auth\.consent\]/, Math.max(at, sms.end))).end;
    await waitFor(/🎙  à vous/, at);
    type('q');
    // The ending says what the call achieved (the declared outcome, a hang-up here) before how the channel ended.
    await waitFor(/■  ended in ivr\.auth\.consent: caller_hung_up\S*, goal not reached \(hangup\)/, at);
    const code = await new Promise<number | null>((r) => (child!.exitCode !== null ? r(child!.exitCode) : child!.once('exit', r)));
    expect(code).toBe(0);
    // The '#' typed after the code's sixth key reached the consent question: not a wrong answer there (no no-match,
    // no visit spent), and the question was asked again.
    const workflowId = /\(workflow (voice-[0-9a-f-]+)\)/.exec(out)?.[1];
    const { events } = await stack.client.workflow.getHandle(workflowId!).query(traceQuery, 0);
    expect(events).toContainEqual({ kind: 'ignored', state: 'ivr.auth.consent', input: 'dtmf', reason: 'terminator with no keys typed' });
    expect(events.filter((e) => e.kind === 'nomatch')).toEqual([]);
    // One 🎙 line after each set of prompts: the keys of the number and of the code do not repeat it.
    const turns = out.split('\n').filter((l) => l.startsWith('🎙') || l.startsWith('🔊'));
    expect(turns.filter((l, i) => l.startsWith('🎙') && turns[i - 1]?.startsWith('🎙'))).toEqual([]);
    expect(turns.filter((l) => l.startsWith('🎙')).length).toBeGreaterThanOrEqual(4);
  });
});
