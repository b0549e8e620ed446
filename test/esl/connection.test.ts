/** The typed ESL adapter (lib/esl/) over the simulator. */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../lib/env';
import {
  EslChannelGoneError,
  EslCommandError,
  EslConnection,
  EslDisconnectedError,
  EslError,
  isEvent,
  loadEslConfig,
  type EslEvent,
} from '../../lib/esl';
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { capturingLogger } from './support';

let sim: EslSimulator;
let esl: EslConnection | undefined;
let logLines: string[];

function logger() {
  const captured = capturingLogger('esl-test');
  logLines = captured.lines;
  return captured.logger;
}

async function connect(extra: Partial<ConstructorParameters<typeof EslConnection>[0]> = {}): Promise<EslConnection> {
  esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: logger(), reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, ...extra });
  await esl.connect();
  return esl;
}

function nextEvent(conn: EslConnection, pred: (e: EslEvent) => boolean, timeoutMs = 5000): Promise<EslEvent> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no matching event')), timeoutMs);
    const on = (e: EslEvent) => {
      if (!pred(e)) return;
      clearTimeout(t);
      conn.off('event', on);
      resolve(e);
    };
    conn.on('event', on);
  });
}

beforeEach(async () => {
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
});
afterEach(async () => {
  await esl?.close();
  esl = undefined;
  await sim.stop();
});

describe('configuration', () => {
  test('refuses the default ClueCon password unless explicitly allowed, and names the variable', () => {
    expect(() => loadEslConfig({ ESL_PASSWORD: 'ClueCon' })).toThrow(ConfigError);
    expect(() => loadEslConfig({ ESL_PASSWORD: 'ClueCon' })).toThrow(/ESL_PASSWORD: .*ClueCon.*ESL_ALLOW_DEFAULT_PASSWORD=1/s);
    expect(loadEslConfig({ ESL_PASSWORD: 'ClueCon', ESL_ALLOW_DEFAULT_PASSWORD: '1' }).password).toBe('ClueCon');
    expect(loadEslConfig({ ESL_PASSWORD: 's3cret', ESL_HOST: 'fs.local', ESL_PORT: '8022' })).toEqual({ host: 'fs.local', port: 8022, password: 's3cret' });
    expect(() => loadEslConfig({})).toThrow(/ESL_PASSWORD/);
    expect(() => loadEslConfig({ ESL_PASSWORD: 'x', ESL_PORT: 'http' })).toThrow(/ESL_PORT/);
  });

  test('a wrong password rejects connect() with a clear error', async () => {
    const bad = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'nope', logger: logger(), reconnect: false });
    await expect(bad.connect()).rejects.toThrow(/rejected the event-socket password/);
    await bad.close();
  });
});

describe('commands', () => {
  test('api, bgapi, execute with typed results; -ERR becomes EslCommandError', async () => {
    const conn = await connect();
    expect(await conn.api('uuid_exists 00000000-0000-0000-0000-000000000000')).toBe('false');
    expect(await conn.api('nosuchcmd')).toBe('-ERR nosuchcmd Command not found!\n');
    const job = await conn.bgapi('status');
    expect(job.jobUuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(job.body).toContain('is ready');
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    const done = await conn.execute(call.uuid, 'playback', '/prompts/welcome.wav', { eventUuid: '11111111-2222-4333-8444-555555555555' });
    expect(done.applicationUuid).toBe('11111111-2222-4333-8444-555555555555');
    expect(done.application).toBe('playback');
    expect(done.applicationResponse).toBe('FILE PLAYED');
    expect(done.variables.playback_ms).toBe('1000');
    await expect(conn.execute('00000000-0000-0000-0000-000000000000', 'answer')).rejects.toThrow(EslCommandError);
    await conn.connect(); // already connected: no second socket
    expect(sim.connectionCount()).toBe(1);
    await conn.hangup(call.uuid, 'USER_BUSY');
    await call.ended;
    expect(call.hangupCause).toBe('USER_BUSY');
    await expect(conn.hangup(call.uuid)).rejects.toThrow(/invalid session id/);
    await expect(conn.filter('Unique-ID', 'a\nb')).rejects.toThrow(EslError);
  });

  test('execute is never confused with concurrent api replies under load', async () => {
    const conn = await connect();
    const calls = await Promise.all(Array.from({ length: 10 }, (_, i) => sim.placeCall({ callerIdNumber: `06000000${String(i).padStart(2, '0')}`, destinationNumber: '5000' })));
    await new Promise((r) => setTimeout(r, 50));
    const work: Array<Promise<unknown>> = [];
    const expectations: Array<() => Promise<void>> = [];
    calls.forEach((call, i) => {
      for (let k = 0; k < 5; k++) {
        const value = `v${i}_${k}`;
        work.push(conn.execute(call.uuid, 'set', `probe_${k}=${value}`));
        const get = conn.api(`uuid_getvar ${call.uuid} probe_${k}`);
        expectations.push(async () => {
          // set is queued on the channel: the getvar may run before it, never returns another call's value.
          const got = await get;
          expect([value, '_undef_']).toContain(got);
        });
        const exec = conn.execute(call.uuid, 'playback', `silence_stream://${20 + k}`);
        expectations.push(async () => {
          const done = await exec;
          expect(done.uuid).toBe(call.uuid);
          expect(done.applicationData).toBe(`silence_stream://${20 + k}`);
        });
        const bg = conn.bgapi(`uuid_exists ${call.uuid}`);
        expectations.push(async () => expect((await bg).body).toBe('true'));
      }
    });
    await Promise.all(work);
    for (const e of expectations) await e();
    for (const [i, call] of calls.entries()) expect(await conn.api(`uuid_getvar ${call.uuid} probe_4`)).toBe(`v${i}_4`);
  });

  test('an execute waiting on a channel that hangs up is released with EslChannelGoneError (no leaked waiter)', async () => {
    const conn = await connect();
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    const file = path.join(os.tmpdir(), `esl-test-${call.uuid}.wav`);
    const pending = conn.execute(call.uuid, 'record', `${file} 0`);
    setTimeout(() => void call.hangup('NORMAL_CLEARING'), 50);
    // record completes on hangup (its COMPLETE comes first); an app queued behind it never runs:
    const behind = conn.execute(call.uuid, 'playback', '/prompts/never.wav');
    await expect(pending).resolves.toMatchObject({ application: 'record' });
    await expect(behind).rejects.toBeInstanceOf(EslChannelGoneError);
    fs.rmSync(file, { force: true });
  });

  test('typed events: zod-validated headers for the events the product uses', async () => {
    const conn = await connect();
    await conn.subscribe(['CHANNEL_CREATE', 'CHANNEL_PARK', 'DTMF']);
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    const dtmf = nextEvent(conn, (e) => e.name === 'DTMF' && e.uniqueId === call.uuid);
    await nextEvent(conn, (e) => e.name === 'CHANNEL_PARK' && e.uniqueId === call.uuid);
    await call.press('7');
    const e = await dtmf;
    expect(isEvent(e, 'DTMF') && e.headers['DTMF-Digit']).toBe('7');
    expect(e.headers['Caller-Caller-ID-Number']).toBe('0612345678');
  });
});

describe('robustness', () => {
  test('reconnects with backoff after dropConnections, restores subscriptions and filters, emits reconnected', async () => {
    const conn = await connect();
    await conn.subscribe(['CHANNEL_PARK']);
    const first = await sim.placeCall({ callerIdNumber: '0611111111', destinationNumber: '5000' });
    await conn.filter('Unique-ID', first.uuid);
    const reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    const disconnected = new Promise<string>((r) => conn.once('disconnected', (why) => r(why)));
    const inflight = conn.api('status').catch((e: Error) => e);
    sim.dropConnections();
    await disconnected;
    const err = await inflight;
    // The in-flight api either completed before the cut or failed as disconnected: never hangs.
    if (err instanceof Error) expect(err).toBeInstanceOf(EslDisconnectedError);
    await reconnected;
    expect(conn.isReady).toBe(true);
    expect(sim.calls.has(first.uuid)).toBe(true); // calls stay up
    expect(await conn.api(`uuid_exists ${first.uuid}`)).toBe('true');
    // Subscription and filter are back: events of the filtered call arrive, others do not.
    const other = await sim.placeCall({ callerIdNumber: '0622222222', destinationNumber: '5000' });
    const seen: string[] = [];
    conn.on('event', (e) => seen.push(`${e.name}:${e.uniqueId}`));
    const done = await conn.execute(first.uuid, 'answer');
    expect(done.uuid).toBe(first.uuid);
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toContain(`CHANNEL_EXECUTE_COMPLETE:${first.uuid}`);
    expect(seen.some((s) => s.endsWith(other.uuid))).toBe(false);
    expect(sim.commands.filter((c) => c === `filter Unique-ID ${first.uuid}`)).toHaveLength(2);
  });

  test('malformed frames and bad URL encoding are logged without values and skipped; the stream goes on', async () => {
    const conn = await connect();
    await conn.subscribe(['CHANNEL_PARK', 'DTMF']);
    const bad = 'Event-Name: DTMF\nCore-UUID: x\nEvent-Date-Timestamp: 1\nEvent-Sequence: 1\nUnique-ID: u\nCaller-Caller-ID-Number: 06%ZZ12345678\nDTMF-Digit: 5\n\n';
    sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(bad)}\nContent-Type: text/event-plain\n\n${bad}`);
    const badJson = '{"Event-Name":"DTMF", "Caller-Caller-ID-Number":"0699999999"';
    sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(badJson)}\nContent-Type: text/event-json\n\n${badJson}`);
    const missing = '{"Event-Name":"DTMF","Core-UUID":"c","Event-Date-Timestamp":"1","Event-Sequence":"2","Unique-ID":"u","Caller-Caller-ID-Number":"0688888888"}';
    sim.injectRawFrame(`Content-Length: ${Buffer.byteLength(missing)}\nContent-Type: text/event-json\n\n${missing}`);
    sim.injectRawFrame('Content-Type: text/strange%ZZ\n\n');
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    await nextEvent(conn, (e) => e.name === 'CHANNEL_PARK' && e.uniqueId === call.uuid);
    expect(conn.skippedFrames).toBeGreaterThanOrEqual(3);
    expect(await conn.api(`uuid_exists ${call.uuid}`)).toBe('true');
    const logs = logLines.join('');
    expect(logs).toContain('skipped');
    for (const phone of ['0612345678', '06%ZZ12345678', '0699999999', '0688888888']) expect(logs).not.toContain(phone);
  });

  test('Nagle is off and each command is one write: api round trips stay far below the 40 ms delayed-ACK stall', async () => {
    const spy = jest.spyOn(net.Socket.prototype, 'setNoDelay');
    const conn = await connect();
    expect(spy.mock.calls.some((args) => args[0] === true || args.length === 0)).toBe(true);
    spy.mockRestore();
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      const t = process.hrtime.bigint();
      await conn.api('uuid_exists 00000000-0000-0000-0000-000000000000');
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    const median = times[15]!;
    expect(median).toBeLessThan(15);
    // One TCP write per command (modesl writes the line, each header and the blank line separately).
    const writes = jest.spyOn(net.Socket.prototype, 'write');
    for (let i = 0; i < 10; i++) await conn.api('uuid_exists 00000000-0000-0000-0000-000000000000');
    await conn.execute((await sim.placeCall({ callerIdNumber: '0600000000', destinationNumber: '5000' })).uuid, 'set', 'a=b');
    const clientWrites = writes.mock.contexts.filter((sock) => (sock as net.Socket).remotePort === sim.port);
    writes.mockRestore();
    expect(clientWrites).toHaveLength(11);
  });

  test('a request that gets no reply times out, and the connection is reset rather than left desynchronised', async () => {
    await sim.stop();
    sim = await startEslSimulator({ password: 'pw', timeScale: 1, apiDelayMs: (cmd) => (cmd === 'status' ? 400 : 0) });
    const conn = await connect({ requestTimeoutMs: 100 });
    const reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    await expect(conn.api('status')).rejects.toThrow(/no reply within 100 ms/);
    await reconnected;
    expect(await conn.api('uuid_exists 00000000-0000-0000-0000-000000000000')).toBe('false');
  });
});

test('DETECTED_SPEECH reaches listeners typed, with the recogniser result as body', async () => {
  const conn = await connect();
  await conn.subscribe(['DETECTED_SPEECH']);
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  const got = nextEvent(conn, (e) => isEvent(e, 'DETECTED_SPEECH') && e.uniqueId === call.uuid);
  call.detectSpeech('<result><interpretation><input>oui</input></interpretation></result>');
  const e = await got;
  expect(e.headers['Speech-Type']).toBe('detected-speech');
  expect(e.body).toContain('<input>oui</input>');
});

test('a bgapi still running when the connection drops fails fast with EslDisconnectedError, and nothing is left unhandled', async () => {
  await sim.stop();
  sim = await startEslSimulator({ password: 'pw', timeScale: 1, apiDelayMs: (cmd) => (cmd === 'status' ? 300 : 0) });
  const conn = await connect();
  const t0 = Date.now();
  const job = conn.bgapi('status');
  await new Promise((r) => setTimeout(r, 50));
  sim.dropConnections();
  await expect(job).rejects.toBeInstanceOf(EslDisconnectedError);
  expect(Date.now() - t0).toBeLessThan(1000);
  await new Promise<void>((r) => conn.once('reconnected', () => r()));
  expect((await conn.bgapi('uuid_exists 00000000-0000-0000-0000-000000000000')).body).toBe('false');
});

test('a long application argument travels in the sendmsg body', async () => {
  const conn = await connect();
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  const text = `tts|fr|${'Bonjour. '.repeat(300)}`;
  const done = await conn.execute(call.uuid, 'set', `long_text=${text}`);
  expect(done.applicationData).toBe(`long_text=${text}`);
  expect(await conn.api(`uuid_getvar ${call.uuid} long_text`)).toBe(text);
});
