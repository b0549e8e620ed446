/**
 * Framing of the event socket (lib/esl/framing.ts): a frame the stream cannot be split after (bad, negative, huge or
 * short Content-Length, garbage, a header section that never ends) drops the connection, which reconnects with its
 * subscription and filters, and the next CHANNEL_PARK is delivered and starts a session.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { EslBridge } from '../../esl-bridge/bridge';
import { dataConverter } from '../../lib/codec/data-converter';
import { EslConnection, EslFramingError, type EslEvent } from '../../lib/esl';
import { FrameReader, type RawFrame } from '../../lib/esl/framing';
import { createLogger } from '../../lib/log';
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { menuActionMachine } from '../support/menu-action-machine';
import { capturingLogger, FRAMES, splitFrames } from './support';

const PHONE = '0612345678';

/** A CHANNEL_PARK whose body carries a phone number: none of it may reach the logs. */
function parkBody(): string {
  return JSON.stringify({
    'Event-Name': 'CHANNEL_PARK',
    'Core-UUID': 'c',
    'Event-Date-Timestamp': '1',
    'Event-Sequence': '1',
    'Unique-ID': 'not-a-call',
    'Caller-Caller-ID-Number': PHONE,
    'Caller-Destination-Number': '5000',
  });
}

/** The bad frames of the finding, and the other ways a stream loses its boundaries. */
const BAD_FRAMES: Array<[string, string, RegExp]> = [
  ['Content-Length shorter than the body', `Content-Length: 40\nContent-Type: text/event-json\n\n${parkBody()}`, /not "Name: value"/],
  ['negative Content-Length', `Content-Length: -5\nContent-Type: text/event-json\n\n${parkBody()}`, /not a decimal byte count/],
  ['Content-Length 2000000000', `Content-Length: 2000000000\nContent-Type: text/event-json\n\n${parkBody()}`, /2000000000 exceeds the 16777216-byte bound/],
  ['non-numeric Content-Length', `Content-Length: 12abc\nContent-Type: text/event-json\n\n${parkBody()}`, /not a decimal byte count/],
  ['garbage', `\u0000\u0001{"Caller-Caller-ID-Number":"${PHONE}"}\n\n`, /not "Name: value"/],
  ['a header section that never ends', `Content-Type: text/event-json\nX-Pad: ${PHONE}${'a'.repeat(70 * 1024)}`, /header section longer than 65536 bytes/],
];

describe('FrameReader', () => {
  function readAll(bytes: Buffer, chunk: number): RawFrame[] {
    const r = new FrameReader();
    const out: RawFrame[] = [];
    for (let i = 0; i < bytes.length; i += chunk) {
      const { frames, error } = r.push(bytes.subarray(i, i + chunk));
      if (error) throw error;
      out.push(...frames);
    }
    return out;
  }

  test('splits the captured FreeSWITCH streams exactly as a correct client does, whatever the chunking', () => {
    const files = ['raw_preauth', 'raw_errors', 'raw_badauth', 'json', 'plain'].flatMap((dir) =>
      fs.readdirSync(path.join(FRAMES, dir)).filter((f) => f.endsWith('.raw')).map((f) => path.join(FRAMES, dir, f)),
    );
    expect(files.length).toBeGreaterThan(20);
    const stream = Buffer.concat(files.map((f) => fs.readFileSync(f)));
    const expected = splitFrames(stream).frames.map((f) => f.body);
    expect(expected.length).toBeGreaterThan(20);
    for (const chunk of [1, 7, 1500, stream.length]) {
      const got = readAll(stream, chunk);
      expect(got.map((f) => f.body ?? '')).toEqual(expected);
    }
  });

  test.each(BAD_FRAMES)('%s is a framing error whose reason holds no byte of the stream', (_what, bad, reason) => {
    const r = new FrameReader();
    const ok = 'Content-Type: command/reply\nReply-Text: +OK\n\n';
    const first = r.push(Buffer.from(ok + bad));
    // What came before the bad frame is still delivered.
    expect(first.frames[0]?.headerText).toBe('Content-Type: command/reply\nReply-Text: +OK');
    const error = first.error ?? r.push(Buffer.from(`\n\n${ok}`)).error;
    expect(error).toBeInstanceOf(EslFramingError);
    expect(error?.message).toMatch(reason);
    expect(error?.message).not.toContain(PHONE);
    // Stopped for good: nothing after it is read as frames.
    expect(r.push(Buffer.from(ok)).frames).toEqual([]);
  });

  test('a header section without Content-Type (the tail of a mis-sized plain body) is a framing error', () => {
    expect(new FrameReader().push(Buffer.from('Event-Sequence: 12\n\n')).error?.reason).toBe('header section without Content-Type');
  });

  test('bounds are configurable', () => {
    const r = new FrameReader({ maxHeaderBytes: 64 * 1024, maxBodyBytes: 10 });
    expect(r.push(Buffer.from('Content-Length: 11\nContent-Type: api/response\n\n')).error?.reason).toMatch(/11 exceeds the 10-byte bound/);
  });
});

describe('the adapter after a framing error', () => {
  let sim: EslSimulator;
  let esl: EslConnection | undefined;
  let logLines: string[];

  function logger() {
    const captured = capturingLogger('esl-framing-test');
    logLines = captured.lines;
    return captured.logger;
  }

  beforeEach(async () => {
    sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
  });
  afterEach(async () => {
    await esl?.close();
    esl = undefined;
    await sim.stop();
  });

  function nextEvent(conn: EslConnection, pred: (e: EslEvent) => boolean): Promise<EslEvent> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no matching event within 10 s')), 10_000);
      const on = (e: EslEvent) => {
        if (!pred(e)) return;
        clearTimeout(t);
        conn.off('event', on);
        resolve(e);
      };
      conn.on('event', on);
    });
  }

  test.each(BAD_FRAMES)('%s: reconnects with subscription and filter restored, logged once, and the next CHANNEL_PARK is delivered', async (_what, bad) => {
    esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: logger(), reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    const conn = esl;
    await conn.connect();
    await conn.subscribe(['CHANNEL_PARK']);
    await conn.filter('Caller-Destination-Number', '5000');
    const disconnected = new Promise<string>((r) => conn.once('disconnected', (why) => r(why)));
    const reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    sim.injectRawFrame(bad);
    expect(await disconnected).toMatch(/^framing error: /);
    await reconnected;
    const call = await sim.placeCall({ callerIdNumber: PHONE, destinationNumber: '5000' });
    const park = await nextEvent(conn, (e) => e.name === 'CHANNEL_PARK' && e.uniqueId === call.uuid);
    expect(park.headers['Caller-Destination-Number']).toBe('5000');
    expect(conn.framingErrors).toBe(1);
    // Subscription and filter were written again on the new socket.
    expect(sim.commands.filter((c) => c === 'filter Caller-Destination-Number 5000')).toHaveLength(2);
    expect(sim.commands.filter((c) => c.startsWith('event json ') && c.includes('CHANNEL_PARK'))).toHaveLength(2);
    const logs = logLines.join('');
    expect(logs.match(/framing error/g)).toHaveLength(1);
    expect(logs).toMatch(/"reason":"[^"]+"/);
    expect(logs).not.toContain(PHONE);
  });

  test('a socket bound to one call by myevents is bound again after the reconnect; a call gone meanwhile does not block it', async () => {
    esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: logger(), reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    const conn = esl;
    await conn.connect();
    await conn.subscribe(['DTMF']);
    const call = await sim.placeCall({ callerIdNumber: PHONE, destinationNumber: '5000' });
    const other = await sim.placeCall({ callerIdNumber: '0699999999', destinationNumber: '5000' });
    await conn.myEvents(call.uuid);
    let reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    sim.injectRawFrame('Content-Length: -1\nContent-Type: text/event-json\n\n');
    await reconnected;
    expect(sim.commands.filter((c) => c === `myevents ${call.uuid} json`)).toHaveLength(2);
    const seen: string[] = [];
    conn.on('event', (e) => {
      if (e.name === 'DTMF') seen.push(e.uniqueId ?? '');
    });
    const dtmf = nextEvent(conn, (e) => e.name === 'DTMF' && e.uniqueId === call.uuid);
    await other.press('1');
    await call.press('2');
    await dtmf;
    expect(seen).toEqual([call.uuid]);
    // The bound call ends while the socket is down: the reconnect still completes, without the binding.
    reconnected = new Promise<void>((r) => conn.once('reconnected', () => r()));
    await call.hangup('NORMAL_CLEARING');
    sim.injectRawFrame('Content-Length: 2000000000\nContent-Type: text/event-json\n\n');
    await reconnected;
    expect(await conn.api('uuid_exists 00000000-0000-0000-0000-000000000000')).toBe('false');
    expect(conn.framingErrors).toBe(2);
    expect(logLines.join('')).toContain('binding dropped');
  });

  test('a frame split at every byte still arrives whole (no false framing error on slow streams)', async () => {
    esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: logger(), reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
    const conn = esl;
    await conn.connect();
    await conn.subscribe(['CHANNEL_PARK']);
    const got = nextEvent(conn, (e) => e.name === 'CHANNEL_PARK' && e.uniqueId === 'not-a-call');
    const body = parkBody();
    const frame = Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\nContent-Type: text/event-json\n\n${body}`);
    for (let i = 0; i < frame.length; i += 3) {
      sim.injectRawFrame(frame.subarray(i, i + 3));
      if (i % 60 === 0) await new Promise((r) => setImmediate(r));
    }
    await got;
    expect(conn.framingErrors).toBe(0);
  });
});

test('esl-bridge: after a bad frame, the next CHANNEL_PARK starts a session', async () => {
  const sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
  const connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  const client = new Client({ connection, dataConverter: dataConverter() });
  const esl = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', logger: createLogger('esl-framing-test', { level: 'silent' }), reconnect: { initialDelayMs: 20, maxDelayMs: 200 } });
  const machine = menuActionMachine({ name: 'framing_test', noinputTimeoutSec: 30, thingId: 1, prompts: { menu: 'Menu.', success: 'Fait.', failure: 'Échec.' } });
  const bridge = new EslBridge({
    client,
    machine,
    nodes: [{ name: 'fs1', esl }],
    destinations: ['5000'],
    sessionTaskQueue: `framing-test-${process.pid}`,
    logger: createLogger('esl-bridge-test', { level: 'silent' }),
  });
  try {
    await bridge.start();
    const reconnected = new Promise<void>((r) => esl.once('reconnected', () => r()));
    sim.injectRawFrame(`Content-Length: 2000000000\nContent-Type: text/event-json\n\n${parkBody()}`);
    await reconnected;
    // The bridge's reconciliation after the reconnect lists channels first; this api call queues behind it, so the
    // call below is new to the bridge and must come in as a CHANNEL_PARK (not be adopted from the listing).
    await esl.api('status');
    const call = await sim.placeCall({ callerIdNumber: PHONE, destinationNumber: '5000' });
    const handle = client.workflow.getHandle(`voice-${call.uuid}`);
    const deadline = Date.now() + 20_000;
    while (bridge.stats.started === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await bridge.idle();
    expect(bridge.stats).toMatchObject({ started: 1, adopted: 0 });
    expect((await handle.describe()).status.name).toBe('RUNNING');
    await handle.terminate('test over');
  } finally {
    await bridge.stop();
    await esl.close();
    await sim.stop();
    await connection.close();
  }
});
