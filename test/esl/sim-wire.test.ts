/** Encoding details of the simulator's wire format, checked against every header of the captured plain frames. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEslSimulator } from '../../sim/esl';
import { PacketReader, urlEncode } from '../../sim/esl/wire';
import { FRAMES, plainHeaders, RawClient, toneWav } from './support';

test('urlEncode re-encodes every captured plain header value exactly as FreeSWITCH did', () => {
  const files = fs.readdirSync(path.join(FRAMES, 'plain')).filter((f) => f.endsWith('.raw') && !f.startsWith('command-'));
  let checked = 0;
  for (const f of files) {
    const body = fs.readFileSync(path.join(FRAMES, 'plain', f)).toString('utf8').split('\n\n')[1] ?? '';
    for (const [name, encoded] of plainHeaders(body)) {
      if (name === 'Content-Length') continue;
      expect([name, urlEncode(decodeURIComponent(encoded))]).toEqual([name, encoded]);
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(1500);
});

test('client packets: CRLF line ends, headers, Content-Length bodies split across TCP chunks', () => {
  const r = new PacketReader();
  expect(r.push(Buffer.from('auth pw\r\n\r\nsendmsg abc\ncall-command: execute\ncontent-type: text/plain\ncontent-length: 5\n\nhel'))).toEqual([
    { command: 'auth pw', headers: [] },
  ]);
  const [p] = r.push(Buffer.from('lo'));
  expect(p).toEqual({
    command: 'sendmsg abc',
    headers: [['call-command', 'execute'], ['content-type', 'text/plain'], ['content-length', '5']],
    body: 'hello',
  });
});

test('a readable WAV prompt plays its real length', async () => {
  const sim = await startEslSimulator({ password: 'pw', timeScale: 0.05 });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'esl-wav-'));
  const c = await RawClient.connect(sim.port);
  try {
    await c.login('pw');
    await c.command('event plain CHANNEL_EXECUTE CHANNEL_EXECUTE_COMPLETE');
    const file = path.join(dir, 'prompt.wav');
    fs.writeFileSync(file, toneWav(2300, 22050, 2));
    const call = await sim.placeCall({ callerIdNumber: '0612345678', destinationNumber: '5000' });
    await c.command(`sendmsg ${call.uuid}\ncall-command: execute\nexecute-app-name: playback\nexecute-app-arg: ${file}`);
    const began = await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE' && h['Application'] === 'playback');
    const done = await c.event((h) => h['Event-Name'] === 'CHANNEL_EXECUTE_COMPLETE' && h['Application'] === 'playback');
    expect(done.headers['variable_playback_ms']).toBe('2300');
    expect(done.headers['variable_playback_samples']).toBe(String(2300 * 8));
    const tookUs = Number(done.headers['Event-Date-Timestamp']) - Number(began.headers['Event-Date-Timestamp']);
    expect(tookUs).toBeGreaterThanOrEqual((2300 * 0.05 - 2) * 1000);
  } finally {
    c.close();
    await sim.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
