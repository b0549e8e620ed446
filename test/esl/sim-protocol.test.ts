/** Frame-level checks of the event-socket simulator against the bytes captured from FreeSWITCH 1.10.12. */
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { captured, decodeEvent, outerHeader, RawClient } from './support';

let sim: EslSimulator;
const clients: RawClient[] = [];

beforeEach(async () => {
  sim = await startEslSimulator({ password: 'ClueCon-test', timeScale: 0.02 });
});
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await sim.stop();
});

async function client(): Promise<RawClient> {
  const c = await RawClient.connect(sim.port);
  clients.push(c);
  return c;
}

test('a wrong password gets -ERR invalid, the disconnect notice and a close: byte for byte as raw_badauth', async () => {
  const c = await client();
  await c.until(() => c.data.length >= 28, 2000, 'auth/request');
  c.send('auth wrong-password\n\n');
  await c.until(() => c.closed, 2000, 'close');
  expect(c.data.toString('utf8')).toBe(captured('raw_badauth/_stream.raw').toString('utf8'));
});

test('before auth every command gets -ERR command not found: byte for byte as raw_preauth', async () => {
  const c = await client();
  await c.until(() => c.data.length >= 28, 2000, 'auth/request');
  c.send('api status\n\n');
  const expected = captured('raw_preauth/_stream.raw');
  await c.until(() => c.data.length >= expected.length, 2000, 'reply');
  expect(c.data.toString('utf8')).toBe(expected.toString('utf8'));
  expect(c.closed).toBe(false);
});

test('error replies and exit: the raw_errors session byte for byte', async () => {
  const c = await client();
  await c.until(() => c.data.length >= 28, 2000, 'auth/request');
  const commands = [
    'auth ClueCon-test',
    'foo bar',
    'api nosuchcmd',
    'event plain',
    'sendmsg 00000000-0000-0000-0000-000000000000\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: x',
    'linger',
    'myevents',
    'exit',
  ];
  let frames = 1;
  for (const cmd of commands) {
    c.send(`${cmd}\n\n`);
    frames++;
    await c.until(() => c.frames().length >= frames, 2000, `reply to ${cmd.split('\n')[0]}`);
  }
  await c.until(() => c.closed, 2000, 'close');
  expect(c.data.toString('utf8')).toBe(captured('raw_errors/_stream.raw').toString('utf8'));
});

test('subscription replies follow parse_command (formats, no keywords, nixevent, noevents)', async () => {
  const c = await client();
  await c.login('ClueCon-test');
  const reply = async (cmd: string) => (await c.command(cmd)).raw.toString('utf8');
  expect(await reply('event plain ALL')).toBe('Content-Type: command/reply\nReply-Text: +OK event listener enabled plain\n\n');
  expect(await reply('event json CHANNEL_CREATE')).toBe('Content-Type: command/reply\nReply-Text: +OK event listener enabled json\n\n');
  expect(await reply('event NOT_AN_EVENT')).toBe('Content-Type: command/reply\nReply-Text: -ERR no keywords supplied\n\n');
  expect(await reply('nixevent CHANNEL_CREATE')).toBe('Content-Type: command/reply\nReply-Text: +OK events nixed\n\n');
  expect(await reply('noevents')).toBe('Content-Type: command/reply\nReply-Text: +OK no longer listening for events\n\n');
  expect(await reply('noevents')).toBe('Content-Type: command/reply\nReply-Text: -ERR not listening for events\n\n');
  expect(await reply('filter Unique-ID')).toBe('Content-Type: command/reply\nReply-Text: -ERR invalid syntax\n\n');
  expect(await reply('filter Unique-ID abc')).toBe('Content-Type: command/reply\nReply-Text: +OK filter added. [Unique-ID]=[abc]\n\n');
  expect(await reply('filter delete Unique-ID abc')).toBe('Content-Type: command/reply\nReply-Text: +OK filter deleted. [Unique-ID][abc]\n\n');
});

test('api answers api/response with a Content-Length body; unknown commands as FreeSWITCH words them', async () => {
  const c = await client();
  await c.login('ClueCon-test');
  const unknown = await c.command('api nosuchcmd x');
  expect(unknown.raw.toString('utf8')).toBe('Content-Type: api/response\nContent-Length: 34\n\n-ERR nosuchcmd Command not found!\n');
  const exists = await c.command('api uuid_exists 00000000-0000-0000-0000-000000000000');
  expect(exists.raw.toString('utf8')).toBe('Content-Type: api/response\nContent-Length: 5\n\nfalse');
  const status = await c.command('api status');
  expect(status.body).toMatch(/^UP 0 years, 0 days, \d+ hours, \d+ minutes, \d+ seconds, \d+ milliseconds, \d+ microseconds\nFreeSWITCH \(Version 1\.10\.12-release {2}64bit\) is ready\n/);
  expect(Number(outerHeader(status, 'Content-Length'))).toBe(Buffer.byteLength(status.body));
});

test('api blocks its socket: a command sent behind a slow api is answered after it', async () => {
  await sim.stop();
  sim = await startEslSimulator({ password: 'pw', timeScale: 1, apiDelayMs: (cmd) => (cmd === 'status' ? 150 : 0) });
  const c = await client();
  await c.login('pw');
  c.send('api status\n\nevent plain DTMF\n\n');
  const first = await c.next();
  const second = await c.next();
  expect(outerHeader(first, 'Content-Type')).toBe('api/response');
  expect(second.raw.toString()).toContain('+OK event listener enabled plain');
});

test('bgapi: +OK Job-UUID reply (with the Job-UUID header), then BACKGROUND_JOB with the output as body', async () => {
  const c = await client();
  await c.login('ClueCon-test');
  await c.command('event plain BACKGROUND_JOB');
  const reply = await c.command('bgapi uuid_exists 00000000-0000-0000-0000-000000000000\nJob-UUID: 7b0c2f4e-1111-4222-8333-944455556666');
  expect(reply.raw.toString()).toBe(
    'Content-Type: command/reply\nReply-Text: +OK Job-UUID: 7b0c2f4e-1111-4222-8333-944455556666\nJob-UUID: 7b0c2f4e-1111-4222-8333-944455556666\n\n',
  );
  const { frame } = await c.event((h) => h['Event-Name'] === 'BACKGROUND_JOB');
  const names = frame.body.split('\n\n')[0]!.split('\n').map((l) => l.split(': ')[0]);
  const capturedNames = captured('plain/BACKGROUND_JOB__uuid_exists.raw').toString().split('\n\n')[1]!.split('\n').map((l) => l.split(': ')[0]);
  expect(names).toEqual(capturedNames);
  expect(frame.body.endsWith('Content-Length: 5\n\nfalse')).toBe(true);
  // json rendering: Content-Length and _body last, as in the captured json frame.
  await c.command('event json BACKGROUND_JOB');
  await c.command('bgapi status');
  const j = await c.event((h, f) => outerHeader(f, 'Content-Type') === 'text/event-json' && h['Event-Name'] === 'BACKGROUND_JOB');
  const keys = Object.keys(j.headers);
  expect(keys.slice(-4)).toEqual(['Job-UUID', 'Job-Command', 'Content-Length', '_body']);
  expect(j.headers._body).toContain('is ready');
  expect(Object.keys(JSON.parse(captured('json/BACKGROUND_JOB__status.raw').toString().split('\n\n')[1]!))).toEqual(keys);
});

test('exit answers +OK bye then the disconnect notice and closes', async () => {
  const c = await client();
  await c.login('ClueCon-test');
  c.send('exit\n\n');
  await c.until(() => c.closed, 2000, 'close');
  expect(c.data.toString().endsWith(captured('raw_errors/_stream.raw').toString().slice(-173))).toBe(true);
  expect(c.data.toString()).toContain('Content-Type: command/reply\nReply-Text: +OK bye\n\nContent-Type: text/disconnect-notice\nContent-Length: 67\n\n');
});

test('filters are OR-ed; once one exists only matching events pass; "-" excludes; delete all lifts them', async () => {
  const c = await client();
  await c.login('ClueCon-test');
  await c.command('event plain CHANNEL_CREATE CHANNEL_PARK');
  const a = await sim.placeCall({ callerIdNumber: '0611111111', destinationNumber: '5000' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK' && h['Unique-ID'] === a.uuid);
  await c.command(`filter Unique-ID ${a.uuid}`);
  await c.command('filter Caller-Destination-Number 5002');
  const b = await sim.placeCall({ callerIdNumber: '0622222222', destinationNumber: '5001' });
  const d = await sim.placeCall({ callerIdNumber: '0633333333', destinationNumber: '5002' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK' && h['Unique-ID'] === d.uuid);
  await c.command('filter Caller-Caller-ID-Number -0633333333');
  const e = await sim.placeCall({ callerIdNumber: '0633333333', destinationNumber: '5002' });
  const f = await sim.placeCall({ callerIdNumber: '0644444444', destinationNumber: '5002' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK' && h['Unique-ID'] === f.uuid);
  await c.command('filter delete all');
  const g = await sim.placeCall({ callerIdNumber: '0655555555', destinationNumber: '5009' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK' && h['Unique-ID'] === g.uuid);
  const seen = new Set(c.frames().map(decodeEvent).map((h) => h?.['Unique-ID']));
  expect(seen.has(b.uuid)).toBe(false);
  expect(seen.has(e.uuid)).toBe(false);
  expect(seen.has(d.uuid) && seen.has(f.uuid) && seen.has(g.uuid)).toBe(true);
});

test('CUSTOM subscriptions need the subclass; CUSTOM events start with Event-Subclass', async () => {
  await sim.stop();
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.02, callcenter: () => ({ maxWaitMs: 100 }) });
  const c = await client();
  await c.login('pw');
  await c.command('event plain CUSTOM callcenter::info');
  const call = await sim.placeCall({ callerIdNumber: '0600000001', destinationNumber: '5001' });
  await c.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: callcenter\nexecute-app-arg: care_queue_1`);
  const { frame, headers } = await c.event((h) => h['CC-Action'] === 'member-queue-start');
  expect(frame.body.startsWith('Event-Subclass: callcenter%3A%3Ainfo\nEvent-Name: CUSTOM\nCore-UUID: ')).toBe(true);
  expect(headers['CC-Queue']).toBe('care_queue_1');
  await c.event((h) => h['CC-Action'] === 'member-queue-end' && h['CC-Cancel-Reason'] === 'TIMEOUT');
});

test('HEARTBEAT events come periodically with the captured header names', async () => {
  await sim.stop();
  sim = await startEslSimulator({ password: 'pw', heartbeatMs: 30 });
  const c = await client();
  await c.login('pw');
  await c.command('event plain HEARTBEAT');
  const { frame, headers } = await c.event((h) => h['Event-Name'] === 'HEARTBEAT');
  const names = (body: string) => body.split('\n\n')[0]!.split('\n').map((l) => l.split(': ')[0]);
  expect(names(frame.body)).toEqual(names(captured('plain/HEARTBEAT.raw').toString().split('\n\n')[1]!));
  expect(headers['Event-Info']).toBe('System Ready');
});
