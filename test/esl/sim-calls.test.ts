/** Simulated calls: event sequences, header layouts compared with captured frames, media apps, DTMF, recording. */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEslSimulator, type EslSimulator, type SimCall } from '../../sim/esl';
import { captured, decodeEvent, eventNames, outerHeader, RawClient, shape, toneWav, type Frame } from './support';

let sim: EslSimulator;
let c: RawClient;
let tmp: string;

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-sim-'));
  // Prompts a test interrupts last long enough to outlive the event delay (their PLAYBACK_START comes 5–60 ms late).
  sim = await startEslSimulator({
    password: 'pw',
    timeScale: 0.02,
    hostname: 'vm',
    playbackDurations: { 'tone_stream://%(20000,0,350)': 20000, '/prompts/long-menu.wav': 20000 },
  });
  c = await RawClient.connect(sim.port);
  await c.login('pw');
  await c.command('event plain ALL');
});
afterEach(async () => {
  c.close();
  await sim.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function capturedShape(rel: string): string[] {
  const body = captured(rel).toString('utf8').split('\n\n').slice(1).join('\n\n');
  return shape(eventNames({ outer: [], body, raw: Buffer.alloc(0) }));
}

async function ev(name: string, uuid: string, extra: (h: Record<string, string>) => boolean = () => true): Promise<{ headers: Record<string, string>; frame: Frame }> {
  return c.event((h) => h['Event-Name'] === name && h['Unique-ID'] === uuid && extra(h), 5000);
}

/** sendmsg execute, consuming its +OK reply so later command() calls get their own reply. */
async function execute(call: SimCall, app: string, arg: string, eventUuid = crypto.randomUUID()): Promise<string> {
  const r = await c.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: ${app}\n${arg ? `execute-app-arg: ${arg}\n` : ''}event-lock: true\nEvent-UUID: ${eventUuid}\n\n`);
  expect(r.raw.toString()).toBe('Content-Type: command/reply\nReply-Text: +OK\n\n');
  return eventUuid;
}

test('an inbound call runs the captured extension: CREATE, set, answer, ANSWER, park, PARK, with the captured header layouts', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  const seq = c
    .frames()
    .map(decodeEvent)
    .filter((h) => h?.['Unique-ID'] === call.uuid)
    .map((h) => (h!['Application'] ? `${h!['Event-Name']}:${h!['Application']}` : h!['Event-Name']));
  expect(seq).toEqual([
    'CHANNEL_CREATE',
    'CHANNEL_EXECUTE:set',
    'CHANNEL_EXECUTE_COMPLETE:set',
    'CHANNEL_EXECUTE:answer',
    'CHANNEL_ANSWER',
    'CHANNEL_EXECUTE_COMPLETE:answer',
    'CHANNEL_EXECUTE:park',
    'CHANNEL_PARK',
  ]);
  const byName = (n: string, app?: string) =>
    c.frames().find((f) => {
      const h = decodeEvent(f);
      return h?.['Event-Name'] === n && h['Unique-ID'] === call.uuid && (!app || h['Application'] === app);
    })!;
  expect(shape(eventNames(byName('CHANNEL_CREATE')))).toEqual(capturedShape('plain/CHANNEL_CREATE.raw'));
  expect(shape(eventNames(byName('CHANNEL_PARK')))).toEqual(capturedShape('plain/CHANNEL_PARK.raw'));
  expect(shape(eventNames(byName('CHANNEL_ANSWER')))).toEqual(capturedShape('plain/CHANNEL_ANSWER.raw'));
  expect(shape(eventNames(byName('CHANNEL_EXECUTE', 'set')))).toEqual(capturedShape('plain/CHANNEL_EXECUTE__set.raw'));
  expect(shape(eventNames(byName('CHANNEL_EXECUTE_COMPLETE', 'set')))).toEqual(capturedShape('plain/CHANNEL_EXECUTE_COMPLETE__set.raw'));
  const create = decodeEvent(byName('CHANNEL_CREATE'))!;
  expect(create['Caller-Caller-ID-Number']).toBe('0612345678');
  expect(create['Caller-Destination-Number']).toBe('5000');
  expect(create['Answer-State']).toBe('ringing');
  expect(create['Event-Date-Timestamp']).toMatch(/^\d{16}$/);
  // Plain values are URL-encoded the FreeSWITCH way (':' and ' ' encoded, ',' kept).
  expect(byName('CHANNEL_CREATE').body).toMatch(/\nEvent-Date-GMT: [A-Z][a-z]{2},%20\d{2}%20[A-Z][a-z]{2}%20\d{4}%20\d{2}%3A\d{2}%3A\d{2}%20GMT\n/);
  // Outer frame: Content-Length first, then Content-Type.
  expect(byName('CHANNEL_PARK').raw.toString().startsWith(`Content-Length: ${Buffer.byteLength(byName('CHANNEL_PARK').body)}\nContent-Type: text/event-plain\n\n`)).toBe(true);
});

test('sendmsg execute: CHANNEL_EXECUTE and _COMPLETE carry the Event-UUID as Application-UUID; playback runs its length', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  const file = 'tone_stream://%(1000,0,440);loops=4';
  const id = await execute(call, 'playback', file);
  const exec = await ev('CHANNEL_EXECUTE', call.uuid, (h) => h['Application'] === 'playback');
  expect(exec.headers['Application-UUID']).toBe(id);
  const start = await ev('PLAYBACK_START', call.uuid);
  const stop = await ev('PLAYBACK_STOP', call.uuid);
  const done = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application'] === 'playback');
  // 1 s of simulated time at timeScale 0.02, measured on the simulator's own event timestamps (µs).
  expect(Number(stop.headers['Event-Date-Timestamp']) - Number(start.headers['Event-Date-Timestamp'])).toBeGreaterThanOrEqual((1000 * 0.02 - 2) * 1000);
  expect(done.headers['variable_playback_ms']).toBe('1000');
  expect(done.headers['Application-UUID']).toBe(id);
  expect(done.headers['Application-Response']).toBe('FILE PLAYED');
  expect(stop.headers['Playback-Status']).toBe('done');
  expect(start.headers['Playback-File-Path']).toBe(file);
  expect(shape(eventNames(exec.frame))).toEqual(capturedShape('plain/CHANNEL_EXECUTE__playback.raw'));
  expect(shape(eventNames(start.frame))).toEqual(capturedShape('plain/PLAYBACK_START__during_playback.raw'));
  expect(shape(eventNames(done.frame))).toEqual(capturedShape('plain/CHANNEL_EXECUTE_COMPLETE__playback.raw'));
});

test('uuid_break stops a playback: PLAYBACK_STOP with Playback-Status break', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await execute(call, 'playback', 'tone_stream://%(20000,0,350)');
  await ev('PLAYBACK_START', call.uuid);
  const r = await c.command(`api uuid_break ${call.uuid} all`);
  expect(r.body).toBe('+OK\n');
  const stop = await ev('PLAYBACK_STOP', call.uuid);
  expect(stop.headers['Playback-Status']).toBe('break');
  expect(Number(stop.headers['variable_playback_ms'])).toBeLessThan(20000);
  expect(shape(eventNames(stop.frame))).toEqual(capturedShape('plain/PLAYBACK_STOP__break__break.raw'));
});

test('a DTMF stops a breakable prompt (playback_terminators), not otherwise; DTMF events carry no variables', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await execute(call, 'playback', '/prompts/long.wav');
  await ev('PLAYBACK_START', call.uuid);
  await call.press('1', { durationMs: 280 });
  const dtmf = await ev('DTMF', call.uuid);
  expect(dtmf.headers['DTMF-Digit']).toBe('1');
  expect(dtmf.headers['DTMF-Duration']).toBe('2240');
  expect(dtmf.headers['DTMF-Source']).toBe('RTP');
  expect(eventNames(dtmf.frame).some((n) => n.startsWith('variable_'))).toBe(false);
  expect(eventNames(dtmf.frame)).toEqual(eventNames({ outer: [], raw: Buffer.alloc(0), body: captured('plain/DTMF__during_playback__1.raw').toString().split('\n\n')[1]! }));
  // "1" is not a terminator (default "*"): the prompt plays to its end.
  expect((await ev('PLAYBACK_STOP', call.uuid)).headers['Playback-Status']).toBe('done');
  await execute(call, 'set', 'playback_terminators=#');
  await execute(call, 'playback', 'silence_stream://60000');
  await c.event((h) => h['Event-Name'] === 'PLAYBACK_START' && h['variable_playback_terminators'] === '#');
  await call.press('#');
  const stop = await c.event((h) => h['Event-Name'] === 'PLAYBACK_STOP' && h['Playback-Status'] === 'break');
  expect(stop.headers['variable_playback_terminator_used']).toBe('#');
});

test('DTMF json rendering matches the captured json frame key for key', async () => {
  await c.command('event json DTMF');
  const call = await sim.placeCall({ callerIdNumber: '1001', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await call.press('1', { durationMs: 280 });
  const j = await c.event((h, f) => outerHeader(f, 'Content-Type') === 'text/event-json' && h['Event-Name'] === 'DTMF');
  const want = JSON.parse(captured('json/DTMF__during_playback__1.raw').toString().split('\n\n')[1]!) as Record<string, string>;
  expect(Object.keys(j.headers)).toEqual(Object.keys(want));
  expect(j.headers['Channel-Name']).toContain('@'); // json values are not URL-encoded
});

test('play_and_get_digits collects digits up to the terminator; result in variable_<var> and read_result on COMPLETE', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  const id = await execute(call, 'play_and_get_digits', '1 4 1 60000 # tone_stream://%(300,0,600) silence_stream://250 pagd_digits \\d+');
  await ev('PLAYBACK_START', call.uuid);
  await call.press('345#');
  const done = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === id);
  expect(done.headers['variable_pagd_digits']).toBe('345');
  expect(done.headers['variable_read_result']).toBe('success');
  expect(done.headers['variable_read_terminator_used']).toBe('#');
  expect(done.headers['Application-Response']).toBe('_none_');
  // Nothing pressed with min 1: switch_ivr_read turns the timeout into "too small", read_result failure.
  const id2 = await execute(call, 'play_and_get_digits', '1 1 2 1000 # silence_stream://100 silence_stream://100 choice \\d');
  const done2 = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === id2);
  expect(done2.headers['variable_read_result']).toBe('failure');
  expect(done2.headers['variable_choice']).toBeUndefined();
  expect(c.frames().map(decodeEvent).filter((h) => h?.['Event-Name'] === 'PLAYBACK_START' && h['Playback-File-Path'] === 'silence_stream://100')).toHaveLength(4);
  // Digits without terminator: the digit timeout ends the read (read_result timeout) and the digits are kept.
  const id3 = await execute(call, 'play_and_get_digits', '2 4 1 30000 # silence_stream://10 silence_stream://10 amount \\d+ 2500');
  await call.press('12');
  const done3 = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === id3);
  expect(done3.headers['variable_amount']).toBe('12');
  expect(done3.headers['variable_read_result']).toBe('timeout');
  // Refused by the regexp: the variable is cleared and the digits go to <var>_invalid.
  const id4 = await execute(call, 'play_and_get_digits', '1 1 1 30000 # silence_stream://10 silence_stream://10 menu [12]');
  await call.press('9');
  const done4 = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === id4);
  expect(done4.headers['variable_menu']).toBeUndefined();
  expect(done4.headers['variable_menu_invalid']).toBe('9');
});

test('record writes a real WAV from the injected speech and stops on silence; RECORD_STOP header set as captured', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  // The folder must exist: `record` creates none (test/esl/sim-listening.test.ts covers a missing one).
  const file = path.join(tmp, 'rec', `msg-${call.uuid}.wav`);
  fs.mkdirSync(path.dirname(file));
  call.speak(toneWav(1200, 16000, 2));
  await execute(call, 'record', `${file} 20 200 2`);
  const start = await ev('RECORD_START', call.uuid);
  const stop = await ev('RECORD_STOP', call.uuid);
  expect(start.headers['Record-File-Path']).toBe(file);
  expect(stop.headers['Record-File-Path']).toBe(file);
  expect(stop.headers['Record-Completion-Cause']).toBeUndefined();
  expect(stop.headers['variable_silence_hits_exhausted']).toBe('true');
  expect(shape(eventNames(stop.frame))).toEqual(capturedShape('plain/RECORD_STOP.raw'));
  const wav = fs.readFileSync(file);
  expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
  expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  expect(wav.toString('ascii', 8, 16)).toBe('WAVEfmt ');
  expect(wav.readUInt16LE(20)).toBe(1); // PCM
  expect(wav.readUInt16LE(22)).toBe(1); // mono
  expect(wav.readUInt32LE(24)).toBe(8000);
  expect(wav.readUInt16LE(34)).toBe(16);
  expect(wav.readUInt32LE(40)).toBe(wav.length - 44);
  const seconds = (wav.length - 44) / 2 / 8000;
  expect(seconds).toBeGreaterThan(3.1); // 1.2 s of speech + 2 s of silence hits
  expect(seconds).toBeLessThan(3.5);
  // The speech is in the file (not silence): the first 1.2 s carry energy.
  let energy = 0;
  for (let i = 0; i < 8000; i++) energy += Math.abs(wav.readInt16LE(44 + i * 2));
  expect(energy / 8000).toBeGreaterThan(3000);
  expect(Number(stop.headers['variable_record_ms'])).toBeCloseTo(seconds * 1000, -1);
  // Without speech, the limit ends it and silence is recorded.
  const file2 = path.join(tmp, 'limit.wav');
  await execute(call, 'record', `${file2} 1`);
  const stop2 = await ev('RECORD_STOP', call.uuid, (h) => h['Record-File-Path'] === file2);
  expect(stop2.headers['variable_silence_hits_exhausted']).toBe('false');
  expect((fs.readFileSync(file2).length - 44) / 2).toBe(8000);
});

test('hangup: HANGUP, UNPARK, park COMPLETE, HANGUP_COMPLETE with Hangup-Cause twice, DESTROY', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await call.hangup('NORMAL_CLEARING');
  await ev('CHANNEL_DESTROY', call.uuid);
  const frames = c.frames().filter((f) => decodeEvent(f)?.['Unique-ID'] === call.uuid);
  const names = frames.map((f) => decodeEvent(f)!['Event-Name']);
  expect(names.slice(-5)).toEqual(['CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE', 'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY']);
  const complete = frames.find((f) => decodeEvent(f)!['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE')!;
  expect(eventNames(complete).filter((n) => n === 'Hangup-Cause')).toHaveLength(2);
  expect(shape(eventNames(complete))).toEqual(capturedShape('plain/CHANNEL_HANGUP_COMPLETE.raw'));
  const hangup = frames.find((f) => decodeEvent(f)!['Event-Name'] === 'CHANNEL_HANGUP')!;
  expect(shape(eventNames(hangup))).toEqual(capturedShape('plain/CHANNEL_HANGUP.raw'));
  expect(decodeEvent(hangup)!['Hangup-Cause']).toBe('NORMAL_CLEARING');
  // json keeps the duplicate key, as cJSON writes it.
  await c.command('event json CHANNEL_HANGUP_COMPLETE');
  const other = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', other.uuid);
  const r = await c.command(`api uuid_kill ${other.uuid} USER_BUSY`);
  expect(r.body).toBe('+OK\n');
  const j = await c.event((h, f) => outerHeader(f, 'Content-Type') === 'text/event-json' && h['Unique-ID'] === other.uuid && h['Event-Name'] === 'CHANNEL_HANGUP_COMPLETE');
  expect(j.frame.body.match(/"Hangup-Cause":"USER_BUSY"/g)).toHaveLength(2);
  expect((await c.command(`api uuid_exists ${other.uuid}`)).body).toBe('false');
  expect((await c.command(`api uuid_kill ${other.uuid}`)).body).toBe('-ERR No such channel!\n');
});

test('sendmsg hangup with a cause; a playback in progress stops before the hangup completes', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await execute(call, 'playback', '/prompts/long-menu.wav');
  await ev('PLAYBACK_START', call.uuid);
  await c.command(`sendmsg ${call.uuid}\ncall-command: hangup\nhangup-cause: CALL_REJECTED`);
  const done = await ev('CHANNEL_HANGUP_COMPLETE', call.uuid);
  expect(done.headers['Hangup-Cause']).toBe('CALL_REJECTED');
  const names = c.frames().map(decodeEvent).filter((h) => h?.['Unique-ID'] === call.uuid).map((h) => h!['Event-Name']);
  expect(names.indexOf('PLAYBACK_STOP')).toBeLessThan(names.indexOf('CHANNEL_HANGUP_COMPLETE'));
  expect(names.indexOf('CHANNEL_HANGUP')).toBeLessThan(names.indexOf('PLAYBACK_STOP'));
});

test('speak lasts in proportion to the text; bridge fails or succeeds per configuration; transfer re-runs the dialplan', async () => {
  await sim.stop();
  sim = await startEslSimulator({
    password: 'pw',
    timeScale: 0.02,
    bridge: (target) => (target.includes('busy') ? 'USER_BUSY' : 'answer'),
    dialplan: (dest) => (dest === '6000' ? [['answer', ''], ['park', '']] : [['set', 'ivr_entry=true'], ['answer', ''], ['park', '']]),
  });
  c.close();
  c = await RawClient.connect(sim.port);
  await c.login('pw');
  await c.command('event plain ALL');
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  const text = 'tts_commandline|fr|Bonjour et bienvenue au service client. Tapez un pour la facturation.';
  const id = await execute(call, 'speak', text);
  const began = await ev('CHANNEL_EXECUTE', call.uuid, (h) => h['Application-UUID'] === id);
  const ended = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === id);
  const chars = text.split('|')[2]!.length;
  const tookUs = Number(ended.headers['Event-Date-Timestamp']) - Number(began.headers['Event-Date-Timestamp']);
  expect(tookUs).toBeGreaterThanOrEqual((chars * (3800 / 69) * 0.02 - 2) * 1000);
  const busy = await execute(call, 'bridge', 'sofia/gateway/busy/0600000000');
  const fail = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application-UUID'] === busy);
  expect(fail.headers['variable_originate_disposition']).toBe('USER_BUSY');
  await execute(call, 'bridge', 'sofia/gateway/ok/0600000000');
  await ev('CHANNEL_BRIDGE', call.uuid);
  call.endBridge();
  await ev('CHANNEL_UNBRIDGE', call.uuid);
  expect((await c.command(`api uuid_transfer ${call.uuid} 6000`)).body).toBe('+OK\n');
  const parked = await ev('CHANNEL_PARK', call.uuid, (h) => h['Caller-Destination-Number'] === '6000');
  expect(parked.headers['Caller-Channel-Transfer-Time']).not.toBe('0');
});

test('originate places an outbound call running the given application', async () => {
  const r = await c.command('api originate {origination_caller_id_number=0600000001}loopback/5001/public &park()');
  expect(r.body).toMatch(/^\+OK [0-9a-f-]{36}\n$/);
  const uuid = r.body.slice(4, 40);
  const park = await ev('CHANNEL_PARK', uuid);
  expect(park.headers['Call-Direction']).toBe('outbound');
  expect(park.headers['Caller-Caller-ID-Number']).toBe('0600000001');
  expect(sim.calls.has(uuid)).toBe(true);
});

test('uuid_record start/stop records beside the running application and stops at hangup', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  const file = path.join(tmp, 'bg.wav');
  expect((await c.command(`api uuid_record ${call.uuid} start ${file}`)).body).toBe('+OK Success\n');
  await ev('RECORD_START', call.uuid);
  call.speak(toneWav(500, 8000));
  await new Promise((r) => setTimeout(r, 1500 * 0.02));
  expect((await c.command(`api uuid_record ${call.uuid} stop ${file}`)).body).toBe('+OK Success\n');
  const stop = await ev('RECORD_STOP', call.uuid);
  expect(stop.headers['Record-File-Path']).toBe(file);
  const seconds = (fs.readFileSync(file).length - 44) / 16000;
  expect(seconds).toBeGreaterThanOrEqual(1.4);
  expect((await c.command(`api uuid_record ${call.uuid} stop ${file}`)).body).toBe('-ERR Cannot stop record session!\n'); // mod_commands.c session_record_function
  const file2 = path.join(tmp, 'bg2.wav');
  await c.command(`api uuid_record ${call.uuid} start ${file2}`);
  await ev('RECORD_START', call.uuid, (h) => h['Record-File-Path'] === file2);
  // At least one 20 ms frame: a recording closed before its first frame is discarded as an empty file.
  await new Promise((r) => setTimeout(r, 20));
  await call.hangup();
  await ev('CHANNEL_DESTROY', call.uuid);
  const names = c.frames().map(decodeEvent).filter((h) => h?.['Unique-ID'] === call.uuid).map((h) => h!['Event-Name']);
  expect(names.lastIndexOf('RECORD_STOP')).toBeLessThan(names.indexOf('CHANNEL_HANGUP_COMPLETE'));
  expect(fs.existsSync(file2)).toBe(true);
});

test('uuid_broadcast queues a playback or app::args on the channel', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  expect((await c.command(`api uuid_broadcast ${call.uuid} /prompts/hold.wav aleg`)).body).toBe('+OK Message sent\n');
  await ev('PLAYBACK_STOP', call.uuid, (h) => h['Playback-File-Path'] === '/prompts/hold.wav');
  await c.command(`api uuid_broadcast ${call.uuid} set::foo=bar aleg`);
  const done = await ev('CHANNEL_EXECUTE_COMPLETE', call.uuid, (h) => h['Application'] === 'set' && h['Application-Data'] === 'foo=bar');
  expect(done.headers['variable_foo']).toBe('bar');
});

test('myevents <uuid> binds the socket to one call (no PLAYBACK_*), and the disconnect notice names the session', async () => {
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  const other = await sim.placeCall({ callerIdNumber: '0699999999', destinationNumber: '5000' });
  const m = await RawClient.connect(sim.port);
  try {
    await m.login('pw');
    expect((await m.command(`myevents ${call.uuid} json`)).raw.toString()).toBe('Content-Type: command/reply\nReply-Text: +OK Events Enabled\n\n');
    expect((await m.command('linger')).raw.toString()).toContain('+OK will linger');
    await (async () => {
      const r = await m.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: /prompts/a.wav`);
      expect(r.raw.toString()).toContain('+OK');
    })();
    await m.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'playback');
    await other.press('1');
    await call.press('2');
    await m.event((h) => h['Event-Name'] === 'DTMF');
    const names = m.frames().map(decodeEvent).filter(Boolean);
    expect(names.every((h) => h!['Unique-ID'] === call.uuid)).toBe(true);
    expect(names.some((h) => h!['Event-Name']!.startsWith('PLAYBACK_'))).toBe(false);
    m.send('exit\n\n');
    await m.until(() => m.closed, 2000, 'close');
    expect(m.data.toString()).toContain(`Content-Type: text/disconnect-notice\nControlled-Session-UUID: ${call.uuid}\nContent-Disposition: disconnect\nContent-Length: 67\n\n`);
  } finally {
    m.close();
  }
});

test('channel state headers along a call match the captured call event by event', async () => {
  const call = await sim.placeCall({ callerIdNumber: '1001', destinationNumber: '5000' });
  await ev('CHANNEL_PARK', call.uuid);
  await call.hangup();
  await ev('CHANNEL_DESTROY', call.uuid);
  const fields = (h: Record<string, string>) => ['Channel-State', 'Channel-Call-State', 'Channel-State-Number', 'Answer-State'].map((k) => h[k]);
  const mine = c
    .frames()
    .map(decodeEvent)
    .filter((h) => h?.['Unique-ID'] === call.uuid)
    .map((h) => ({ key: h!['Application'] ? `${h!['Event-Name']}__${h!['Application']}` : h!['Event-Name']!, values: fields(h!) }));
  const expected = [
    'CHANNEL_CREATE', 'CHANNEL_EXECUTE__set', 'CHANNEL_EXECUTE__answer', 'CHANNEL_ANSWER', 'CHANNEL_EXECUTE_COMPLETE__answer',
    'CHANNEL_EXECUTE__park', 'CHANNEL_PARK', 'CHANNEL_HANGUP', 'CHANNEL_UNPARK', 'CHANNEL_EXECUTE_COMPLETE__park',
    'CHANNEL_HANGUP_COMPLETE', 'CHANNEL_DESTROY',
  ];
  for (const key of expected) {
    const want = decodeEvent({ outer: [['Content-Type', 'text/event-plain']], raw: Buffer.alloc(0), body: captured(`plain/${key}.raw`).toString().split('\n\n').slice(1).join('\n\n') })!;
    expect({ key, values: mine.find((m) => m.key === key)?.values }).toEqual({ key, values: fields(want) });
  }
});
