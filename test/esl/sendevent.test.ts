/**
 * `sendevent` as mod_event_socket.c's parse_command handles it, and the voice turn announcement built on it
 * (lib/esl/turns.ts): the event is numbered in the same sequence as the channel's own events, reaches a socket
 * subscribed to its CUSTOM subclass through the bridge's filters, and a Unique-ID naming a live channel keeps it
 * from being fired at all.
 */
import { EslConnection, EslError, type EslEvent } from '../../lib/esl';
import { parseTurnEvent, TURN_EVENT_SUBCLASS, turnEventHeaders, type TurnAnnouncement } from '../../lib/esl/turns';
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { RawClient } from './support';

let sim: EslSimulator;
const open: EslConnection[] = [];

beforeEach(async () => {
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close()));
  await sim.stop();
});

async function connect(): Promise<EslConnection> {
  const c = new EslConnection({ host: '127.0.0.1', port: sim.port, password: 'pw', reconnect: false });
  open.push(c);
  await c.connect();
  return c;
}

function collect(c: EslConnection): EslEvent[] {
  const seen: EslEvent[] = [];
  c.on('event', (ev) => seen.push(ev));
  return seen;
}

async function until(what: string, probe: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const turn = (callId: string, after = 'none'): TurnAnnouncement => ({ callId, workflowId: `voice-${callId}`, runId: 'run-1', activityId: '7', after });

test('an announcement reaches a socket subscribed like the bridge, in sequence between the keys around it', async () => {
  const bridge = await connect();
  const voice = await connect();
  const seen = collect(bridge);
  // The bridge's subscription and filters: only these events pass.
  await bridge.subscribe(['CHANNEL_PARK', 'DTMF', 'RECORD_START', 'RECORD_STOP', 'CHANNEL_HANGUP', `CUSTOM ${TURN_EVENT_SUBCLASS}`]);
  for (const name of ['CHANNEL_PARK', 'DTMF', 'RECORD_START', 'RECORD_STOP', 'CHANNEL_HANGUP']) await bridge.filter('Event-Name', name);
  await bridge.filter('Event-Subclass', TURN_EVENT_SUBCLASS);

  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await until('the park', () => seen.some((e) => e.name === 'CHANNEL_PARK'));
  await call.press('1');
  await until('the first key', () => seen.some((e) => e.name === 'DTMF'));
  const eventUuid = await voice.sendEvent('CUSTOM', turnEventHeaders(turn(call.uuid, 'core:41')));
  await call.press('2');
  await until('the second key', () => seen.filter((e) => e.name === 'DTMF').length === 2);

  const names = seen.map((e) => (e.name === 'CUSTOM' ? e.subclass : e.name)).filter((n) => n !== 'CHANNEL_PARK');
  expect(names).toEqual(['DTMF', TURN_EVENT_SUBCLASS, 'DTMF']);
  const seqs = seen.filter((e) => e.name !== 'CHANNEL_PARK').map((e) => Number(e.headers['Event-Sequence']));
  expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
  const announced = seen.find((e) => e.subclass === TURN_EVENT_SUBCLASS) as EslEvent;
  // What parse_command adds: the command line, the Event-UUID it answered with, the delivery headers.
  expect(announced.headers['Command']).toBe('sendevent CUSTOM');
  expect(announced.headers['Event-UUID']).toBe(eventUuid);
  expect(announced.headers['Core-UUID']).toBe(seen[0]?.headers['Core-UUID']);
  expect(announced.uniqueId).toBeUndefined();
  expect(parseTurnEvent(announced)).toEqual(turn(call.uuid, 'core:41'));
  // In FreeSWITCH's order: the packet's headers, Event-UUID, then the subclass (switch_event_set_subclass_name
  // deletes and re-adds it at the bottom), then the delivery headers.
  const fired = sim.firedEvents.find((e) => e.headers.some(([k, v]) => k === 'Event-UUID' && v === eventUuid))!;
  const order = fired.headers.map(([k]) => k);
  expect(order.slice(0, 2)).toEqual(['Command', 'Ivr-Call-UUID']);
  expect(order.slice(order.indexOf('Event-UUID'), order.indexOf('Event-UUID') + 3)).toEqual(['Event-UUID', 'Event-Subclass', 'Event-Name']);
  expect(order.at(-1)).toBe('Event-Sequence');
  // The other events are not announcements.
  expect(seen.filter((e) => e.name === 'DTMF').map(parseTurnEvent)).toEqual([undefined, undefined]);
});

test('a Unique-ID naming a live channel queues the event to that session: +OK, and nobody subscribed sees it', async () => {
  const listener = await connect();
  const seen = collect(listener);
  await listener.subscribe([`CUSTOM ${TURN_EVENT_SUBCLASS}`]);
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  const raw = await RawClient.connect(sim.port);
  try {
    await raw.login('pw');
    const headers = Object.entries(turnEventHeaders(turn(call.uuid)))
      .map(([k, v]) => `${k}: ${v}\n`)
      .join('');
    const queued = await raw.command(`sendevent CUSTOM\nUnique-ID: ${call.uuid}\n${headers}\n`);
    expect(queued.raw.toString()).toMatch(/^Content-Type: command\/reply\nReply-Text: \+OK [0-9a-f-]{36}\n\n$/);
    // The same event naming a channel that does not exist is fired.
    const fired = await raw.command(`sendevent CUSTOM\nUnique-ID: 00000000-0000-0000-0000-000000000000\n${headers}\n`);
    expect(fired.raw.toString()).toMatch(/Reply-Text: \+OK /);
    const announcements = () => seen.filter((e) => e.subclass === TURN_EVENT_SUBCLASS);
    await until('the fired announcement', () => announcements().length >= 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(announcements().map((e) => e.uniqueId)).toEqual(['00000000-0000-0000-0000-000000000000']);
  } finally {
    raw.close();
  }
});

test('the adapter refuses what FreeSWITCH would not fire or would misread', async () => {
  const c = await connect();
  await expect(c.sendEvent('CUSTOM', { 'Unique-ID': 'abc' })).rejects.toThrow(EslError);
  await expect(c.sendEvent('CUSTOM', { 'Ivr-Turn-After': 'a\nEvent-Name: DTMF' })).rejects.toThrow(/line breaks/);
});

test('an announcement missing a header is refused by name; other CUSTOM events are not announcements', () => {
  const base = { name: 'CUSTOM', subclass: TURN_EVENT_SUBCLASS, headers: { ...turnEventHeaders(turn('u1')) } };
  expect(parseTurnEvent(base)).toEqual(turn('u1'));
  const { ['Ivr-Activity-Id']: _dropped, ...rest } = base.headers;
  expect(() => parseTurnEvent({ ...base, headers: rest })).toThrow(/Ivr-Activity-Id/);
  expect(parseTurnEvent({ name: 'CUSTOM', subclass: 'callcenter::info', headers: { 'Event-Subclass': 'callcenter::info' } })).toBeUndefined();
});
