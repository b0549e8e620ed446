/**
 * `realTimeCallerTimeouts`: under a time scale, a media bug's no-input timeout and limit count real ms (the caller of
 * a test or of `ivr call` answers in real time) while the speech time line stays scaled.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEslSimulator, type EslSimulator } from '../../sim/esl';
import { RawClient } from './support';

let sim: EslSimulator | undefined;
let c: RawClient | undefined;
afterEach(async () => {
  c?.close();
  await sim?.stop();
});

async function noInputAfter(realTimeCallerTimeouts: boolean): Promise<number> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-caller-time-'));
  sim = await startEslSimulator({ password: 'pw', timeScale: 0.01, heartbeatMs: 0, eventDelayMs: 0, realTimeCallerTimeouts });
  c = await RawClient.connect(sim.port);
  await c.login('pw');
  await c.command('event plain RECORD_STOP CHANNEL_PARK');
  const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
  await c.event((h) => h['Event-Name'] === 'CHANNEL_PARK', 5000);
  const file = path.join(tmp, 'listen.wav');
  const started = Date.now();
  const reply = await c.command(`api uuid_record ${call.uuid} start ${file} 20 {RECORD_INITIAL_TIMEOUT_MS=400,RECORD_FINAL_TIMEOUT_MS=2000}`);
  expect(reply.body).toMatch(/^\+OK/);
  const stop = await c.event((h) => h['Event-Name'] === 'RECORD_STOP', 10_000);
  expect(stop.headers['Record-Completion-Cause']).toBe('no-input-timeout');
  c.close();
  await sim.stop();
  c = undefined;
  sim = undefined;
  return Date.now() - started;
}

test('the no-input timeout of a listening recording stays in real time when asked, scaled otherwise', async () => {
  // 400 ms at a hundredth of real time is 4 ms: the scaled run reports at once, the real-time one not before 400 ms.
  expect(await noInputAfter(true)).toBeGreaterThanOrEqual(390);
  expect(await noInputAfter(false)).toBeLessThan(390);
});
