/** The voice path's pure parts: transcription rules, `show channels` parsing, configuration, handoff variables. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTranscribeActivity, wavPeak } from '../../activities/stt/transcribe';
import { safeHandoffVars } from '../../activities/voice/handoff';
import { cleanPromptText, EspeakWavCache } from '../../activities/voice/tts';
import { loadBridgeConfig } from '../../esl-bridge/config';
import { parseShowChannels } from '../../esl-bridge/bridge';
import { recordingVerdict } from '../../lib/esl/recordings';
import { recordCommand } from '../../activities/voice/listen';
import { isOrdinaryHangup } from '../../workflows/shell/hangup-causes';
import { shippedIvrExtension } from '../../stack/sim-node';
import { buildWav, silentWav } from '../../lib/audio/wav';
import { createTranscriber } from '../../lib/stt/transcriber';
import { startOpenAiSimulator, type OpenAiSimulator } from '../../sim/openai';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ivr-voice-units-'));
let openai: OpenAiSimulator;

beforeAll(async () => {
  openai = await startOpenAiSimulator({ apiKey: 'sk-u' });
});
afterAll(async () => {
  await openai.stop();
});

function tone(ms: number, amplitude: number): Buffer {
  const n = Math.round((8000 * ms) / 1000);
  const pcm = Buffer.alloc(n * 2);
  for (let i = 0; i < n; i++) pcm.writeInt16LE(Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000)), i * 2);
  return buildWav(pcm, { sampleRate: 8000, channels: 1, bitsPerSample: 16 });
}

function write(name: string, bytes: Buffer): string {
  const f = path.join(dir, name);
  fs.writeFileSync(f, bytes);
  return f;
}

const transcriber = () =>
  createTranscriber({ apiKey: 'sk-u', baseURL: openai.url, model: 'whisper-1', language: 'fr', timeoutMs: 3000, maxRetries: 0, maxDurationSeconds: 60, promptMaxChars: 400 });

describe('transcribe activity', () => {
  test('sends sound with the hints and returns the transcript', async () => {
    const wav = tone(800, 8000);
    openai.registerTranscript(wav, 'oui');
    const t = createTranscribeActivity({ transcriber: transcriber(), allowedDirs: [dir] });
    await expect(t({ ref: write('a.wav', wav), hints: ['oui', 'non'] })).resolves.toEqual({ text: 'oui' });
    expect(openai.transcriptions.at(-1)).toMatchObject({ prompt: 'oui, non', language: 'fr' });
  });

  test('a recording of silence is not uploaded and reads as nothing said', async () => {
    const before = openai.transcriptions.length;
    const t = createTranscribeActivity({ transcriber: transcriber(), allowedDirs: [dir] });
    await expect(t({ ref: write('s.wav', silentWav(2000)), hints: [] })).resolves.toEqual({ text: '' });
    expect(openai.transcriptions.length).toBe(before);
  });

  test('speech-to-text disabled (no key): empty text so the machine re-prompts', async () => {
    const disabled = createTranscriber({ model: 'whisper-1', language: 'fr', timeoutMs: 1000, maxRetries: 0, maxDurationSeconds: 60, promptMaxChars: 400 });
    const t = createTranscribeActivity({ transcriber: disabled, allowedDirs: [dir] });
    await expect(t({ ref: write('d.wav', tone(500, 8000)), hints: [] })).resolves.toEqual({ text: '' });
  });

  test('a path outside the recording folders is refused, naming the setting', async () => {
    const t = createTranscribeActivity({ transcriber: transcriber(), allowedDirs: [dir] });
    await expect(t({ ref: '/etc/passwd', hints: [] })).rejects.toThrow(/outside the recording folders.*VOICE_RECORD_DIR/);
    await expect(t({ ref: path.join(dir, '..', 'x.wav'), hints: [] })).rejects.toThrow(/outside/);
  });

  test('server errors are thrown as retryable failures', async () => {
    openai.failNext({ status: 500 });
    const t = createTranscribeActivity({ transcriber: transcriber(), allowedDirs: [dir] });
    await expect(t({ ref: write('e.wav', tone(500, 8000)), hints: [] })).rejects.toMatchObject({ nonRetryable: false });
  });

  test('wavPeak reads 16-bit PCM and ignores other data', () => {
    expect(wavPeak(tone(100, 1234))).toBeGreaterThanOrEqual(1200);
    expect(wavPeak(silentWav(100))).toBe(0);
    expect(wavPeak(Buffer.from('not a wav'))).toBeUndefined();
  });
});

test('show channels: columns by name, real and simulator layouts, empty listing', () => {
  const real =
    'uuid,direction,created,created_epoch,name,state,cid_name,cid_num,ip_addr,dest,application\n' +
    'a1,inbound,2026-01-01,1,sofia/x,CS_EXECUTE,Bob,0611,1.2.3.4,5000,park\n' +
    'b2,inbound,2026-01-01,1,sofia/y,CS_EXECUTE,Al,0622,1.2.3.4,6000,bridge\n\n2 total.\n';
  expect(parseShowChannels(real)).toEqual([
    { uuid: 'a1', dest: '5000', cidNum: '0611' },
    { uuid: 'b2', dest: '6000', cidNum: '0622' },
  ]);
  expect(parseShowChannels('uuid,direction,cid_num,dest\nc3,inbound,0633,5000\n\n1 total.\n')).toEqual([{ uuid: 'c3', dest: '5000', cidNum: '0633' }]);
  expect(parseShowChannels('\n0 total.\n')).toEqual([]);
});

test('the completion cause of a recording decides: speech is an answer, no speech in time a no-input, the rest nothing', () => {
  expect(recordingVerdict({ 'Record-Completion-Cause': 'success-silence' })).toBe('answer');
  expect(recordingVerdict({ 'Record-Completion-Cause': 'success-maxtime' })).toBe('answer');
  expect(recordingVerdict({ 'Record-Completion-Cause': 'no-input-timeout' })).toBe('noinput');
  for (const cause of ['empty-file', 'input-too-short', 'uri-failure']) expect(recordingVerdict({ 'Record-Completion-Cause': cause })).toBe('nothing');
  // The `record` application's RECORD_STOP carries no cause: never taken for an answer.
  expect(recordingVerdict({ variable_silence_hits_exhausted: 'true', variable_record_ms: '2000' })).toBe('nothing');
});

test('a listen records with a media bug: no-input timeout first, then end-of-speech silence, limit = timeout + longest answer', () => {
  const config = { recordMaxSec: 15, silenceHitsSec: 2, silenceThreshold: 200 } as Parameters<typeof recordCommand>[3];
  expect(recordCommand('u-1', '/rec/u-1/a.wav', 6, config)).toBe(
    'uuid_record u-1 start /rec/u-1/a.wav 21 {RECORD_READ_ONLY=true,RECORD_INITIAL_TIMEOUT_MS=6000,RECORD_FINAL_TIMEOUT_MS=2000,RECORD_SILENCE_THRESHOLD=200}',
  );
});

test('hang-up causes: the caller or the IVR hanging up is ordinary; a failure of the switch is not', () => {
  for (const cause of [undefined, 'NORMAL_CLEARING', 'ORIGINATOR_CANCEL', 'UNKNOWN_AFTER_RECONNECT']) expect(isOrdinaryHangup(cause)).toBe(true);
  for (const cause of ['DESTINATION_OUT_OF_ORDER', 'MEDIA_TIMEOUT', 'RECOVERY_ON_TIMER_EXPIRE']) expect(isOrdinaryHangup(cause)).toBe(false);
});

describe('bridge configuration', () => {
  test('one node from ESL_HOST/PORT/PASSWORD, several from ESL_NODES', () => {
    const one = loadBridgeConfig({ ESL_PASSWORD: 's3cret', ESL_NODE_NAME: 'fs-a', IVR_DESTINATION: '5000, 5001' });
    expect(one.nodes).toEqual([{ name: 'fs-a', host: '127.0.0.1', port: 8021, password: 's3cret' }]);
    expect(one.destinations).toEqual(['5000', '5001']);
    const two = loadBridgeConfig({ ESL_NODES: JSON.stringify([{ name: 'a', host: 'h1', password: 'p1' }, { name: 'b', host: 'h2', port: 9021, password: 'p2' }]) });
    expect(two.nodes.map((n) => `${n.name}@${n.host}:${n.port}`)).toEqual(['a@h1:8021', 'b@h2:9021']);
  });

  test('errors name the variable and what to do', () => {
    expect(() => loadBridgeConfig({})).toThrow(/ESL_PASSWORD is required/);
    expect(() => loadBridgeConfig({ ESL_PASSWORD: 'ClueCon' })).toThrow(/well-known default.*ESL_ALLOW_DEFAULT_PASSWORD/);
    expect(() => loadBridgeConfig({ ESL_NODES: '[{"name":"a b","host":"h","password":"p"}]' })).toThrow(/ESL_NODES[\s\S]*\[0\.name\]/);
    expect(() => loadBridgeConfig({ ESL_NODES: '{' })).toThrow(/ESL_NODES is not JSON/);
    expect(() => loadBridgeConfig({ ESL_NODES: JSON.stringify([{ name: 'a', host: 'h', password: 'p' }, { name: 'a', host: 'i', password: 'q' }]) })).toThrow(/twice/);
    expect(() => loadBridgeConfig({ ESL_PASSWORD: 'x', IVR_DESTINATION: '50 00' })).toThrow(/IVR_DESTINATION/);
  });
});

test('handoff variables: ids kept, phone- or e-mail-like values and odd characters dropped', () => {
  const { kept, dropped } = safeHandoffVars({ call_id: 'abc-123', partner_id: '7', phone_id: '+33612345678', x_id: 'a@b.fr', state: 'ivr.entry', note_id: 'a b' });
  expect(kept).toEqual({ ivr_call_id: 'abc-123', ivr_partner_id: '7', ivr_state: 'ivr.entry' });
  expect(dropped.sort()).toEqual(['note_id', 'phone_id', 'x_id']);
});

test('prompt cache: one espeak-ng run per text, a WAV FreeSWITCH can play', async () => {
  const cache = new EspeakWavCache({ dir: path.join(dir, 'tts'), voice: 'fr', rate: 165, bin: 'espeak-ng' });
  const [a, b] = await Promise.all([cache.file('Bonjour | au revoir'), cache.file('Bonjour | au revoir')]);
  expect(a).toBe(b);
  const stat = fs.statSync(a);
  expect(await cache.file('Bonjour | au revoir')).toBe(a);
  expect(fs.statSync(a).mtimeMs).toBe(stat.mtimeMs);
  expect(fs.readFileSync(a).subarray(0, 4).toString('ascii')).toBe('RIFF');
  expect(cleanPromptText('a|b\nc')).toBe('a,b c');
  await expect(new EspeakWavCache({ dir, voice: 'fr', rate: 165, bin: 'no-such-espeak' }).file('x')).rejects.toThrow(/not installed/);
});

test('the shipped dialplan answers, disables key terminators and parks; the simulated node runs exactly it', () => {
  const apps = shippedIvrExtension();
  expect(apps.map(([a]) => a)).toEqual(['set', 'set', 'set', 'set', 'set', 'answer', 'park']);
  expect(apps).toContainEqual(['set', 'playback_terminators=none']);
  const bad = path.join(dir, 'bad.xml');
  fs.writeFileSync(bad, '<include><extension><condition><action application="answer"/></condition></extension></include>');
  expect(() => shippedIvrExtension(bad)).toThrow(/must end in park/);
});
