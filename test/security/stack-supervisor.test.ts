/**
 * The supervisor of the local stack on two light parts (codec server, Brevo simulator), as real child processes:
 * a part killed with SIGKILL is reported and restarted while the other keeps answering; a part that keeps dying
 * is given up after its backoff budget instead of spinning; a part that cannot start is an error naming why;
 * stop() leaves no process behind.
 */
import { pickFreePort } from '../../lib/net/ports';
import { PartStartError, Supervisor } from '../../stack/supervisor';
import { waitGone } from './stack-procs';

jest.setTimeout(180_000);

const TOKEN = 'supervisor-test-token-0123456789';

async function waitFor(what: string, check: () => boolean | Promise<boolean>, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`waited ${limitMs / 1000} s for ${what}`);
}

const answers = async (url: string): Promise<boolean> => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
};

test('a part killed with SIGKILL is restarted while the others keep answering; one that keeps dying is given up', async () => {
  const lines: string[] = [];
  const supervisor = new Supervisor({ report: (l) => lines.push(l), backoff: { initialMs: 200, maxMs: 1000, stableMs: 60_000, maxFailures: 2 } });
  const env = { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
  const seen: number[] = [];
  try {
    const codecPort = await pickFreePort();
    const codec = await supervisor.start({
      name: 'codec',
      config: { port: codecPort, host: '127.0.0.1', allowedOrigins: ['http://localhost:8233'] },
      env: { ...env, CODEC_SERVER_TOKEN: TOKEN },
    });
    const sims = await supervisor.start({ name: 'sims', config: { host: '127.0.0.1', brevo: { port: await pickFreePort(), apiKey: 'k' } }, env });
    const codecHealth = `${String(codec.url)}/health`;
    const brevo = (sims.simulators as Array<{ peer: string; url: string }>).find((f) => f.peer === 'brevo');
    const outbox = `${brevo?.url}/_sim/outbox`;
    expect(await answers(codecHealth)).toBe(true);
    const simsPid = supervisor.pids().sims![0]!;

    for (let kill = 1; kill <= 2; kill++) {
      const pid = supervisor.pids().codec![0]!;
      seen.push(pid);
      process.kill(pid, 'SIGKILL');
      // The other part is not touched.
      expect(await answers(outbox)).toBe(true);
      await waitFor(`the codec part to run again after kill ${kill}`, () => lines.filter((l) => l.includes('part codec is running again')).length === kill);
      expect(supervisor.pids().codec![0]).not.toBe(pid);
      expect(await answers(codecHealth)).toBe(true);
    }
    expect(lines.filter((l) => /part codec \(pid \d+\) exited with signal SIGKILL .*restarting it in/.test(l))).toHaveLength(2);
    // Backoff: the second restart waited twice as long as the first.
    expect(lines.join('\n')).toMatch(/restarting it in 0\.2 s \(attempt 1 of 2\)[\s\S]*restarting it in 0\.4 s \(attempt 2 of 2\)/);

    // A third death within the budget: given up and reported, never restarted in a loop.
    process.kill(supervisor.pids().codec![0]!, 'SIGKILL');
    await waitFor('the give-up report', () => lines.some((l) => l.includes('giving up on codec')));
    await new Promise((r) => setTimeout(r, 1500));
    expect(supervisor.pids().codec).toBeUndefined();
    expect(await answers(codecHealth)).toBe(false);
    expect(supervisor.pids().sims![0]).toBe(simsPid);
    expect(await answers(outbox)).toBe(true);
  } finally {
    const running = Object.values(supervisor.pids()).flat();
    await supervisor.stop();
    expect(await waitGone([...running, ...seen], 15_000)).toEqual([]);
  }
});

test('a part that cannot start is an error saying why, and leaves no process', async () => {
  const supervisor = new Supervisor({ report: () => undefined });
  const start = supervisor.start({ name: 'codec', config: { port: 1, host: '127.0.0.1', allowedOrigins: [] }, env: { ...process.env, LOG_LEVEL: 'silent' } });
  await expect(start).rejects.toBeInstanceOf(PartStartError);
  await expect(start).rejects.toThrow(/part codec stopped before serving \(code 1\): part codec: bad configuration from the supervisor: allowedOrigins: /);
  expect(supervisor.pids()).toEqual({});
});

test('stop() ends every part and what it started', async () => {
  const supervisor = new Supervisor({ report: () => undefined });
  await supervisor.start({ name: 'sims', config: { host: '127.0.0.1', brevo: { port: 0, apiKey: 'k' }, openai: { port: 0, apiKey: 'k' } }, env: { ...process.env, LOG_LEVEL: 'silent' } });
  const pids = Object.values(supervisor.pids()).flat();
  expect(pids.length).toBeGreaterThan(0);
  await supervisor.stop();
  expect(await waitGone(pids, 15_000)).toEqual([]);
});
