/** A real modesl 1.2.1 client against the simulator: the library the design names must work unchanged. */
import { startEslSimulator, type EslSimulator } from '../../sim/esl';

interface ModeslEvent {
  getHeader(name: string): string | undefined;
  getBody(): string;
}
interface ModeslConnection {
  on(event: string, fn: (...args: never[]) => void): void;
  api(cmd: string, cb: (e: ModeslEvent) => void): void;
  bgapi(cmd: string, cb: (e: ModeslEvent) => void): void;
  subscribe(events: string[], cb?: () => void): void;
  execute(app: string, arg: string, uuid: string, cb: (e: ModeslEvent) => void): void;
  filter(header: string, value: string, cb?: (e: ModeslEvent) => void): void;
  disconnect(): void;
}
const modesl = require('modesl') as { Connection: new (host: string, port: number, password: string, ready?: () => void) => ModeslConnection };

let sim: EslSimulator;
beforeEach(async () => {
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.02 });
});
afterEach(async () => {
  await sim.stop();
});

function connect(password = 'pw'): Promise<ModeslConnection> {
  return new Promise((resolve, reject) => {
    const conn: ModeslConnection = new modesl.Connection('127.0.0.1', sim.port, password, () => resolve(conn));
    conn.on('esl::event::auth::fail', () => reject(new Error('auth failed')));
    conn.on('error', (e: Error) => reject(e));
  });
}

test('modesl authenticates, runs api and bgapi, executes with its completion callback, and receives json events', async () => {
  const conn = await connect();
  const status = await new Promise<ModeslEvent>((r) => conn.api('status', r));
  expect(status.getBody()).toContain('FreeSWITCH (Version 1.10.12-release  64bit) is ready');
  const job = await new Promise<ModeslEvent>((r) => conn.bgapi('uuid_exists 00000000-0000-0000-0000-000000000000', r));
  expect(job.getHeader('Event-Name')).toBe('BACKGROUND_JOB');
  expect(job.getBody()).toBe('false');
  await new Promise<void>((r) => conn.subscribe(['CHANNEL_PARK', 'DTMF'], r));
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  const park = await new Promise<ModeslEvent>((r) => conn.on(`esl::event::CHANNEL_PARK::${call.uuid}`, r));
  expect(park.getHeader('Caller-Caller-ID-Number')).toBe('0612345678');
  const done = await new Promise<ModeslEvent>((r) => conn.execute('playback', '/prompts/welcome.wav', call.uuid, r));
  expect(done.getHeader('Event-Name')).toBe('CHANNEL_EXECUTE_COMPLETE');
  expect(done.getHeader('Application-Response')).toBe('FILE PLAYED');
  const dtmf = new Promise<ModeslEvent>((r) => conn.on(`esl::event::DTMF::${call.uuid}`, r));
  await call.press('9');
  expect((await dtmf).getHeader('DTMF-Digit')).toBe('9');
  const filtered = await new Promise<ModeslEvent>((r) => conn.filter('Unique-ID', call.uuid, r));
  expect(filtered.getHeader('Reply-Text')).toBe(`+OK filter added. [Unique-ID]=[${call.uuid}]`);
  conn.disconnect();
});

test('modesl sees a wrong password as an auth failure', async () => {
  await expect(connect('wrong')).rejects.toThrow('auth failed');
});
