import { buildWav, detectAudioFormat, parseWav, silentWav, withInfoComment, WavError } from '../../lib/audio/wav';
import { synthesizeFrench } from './espeak';

describe('lib/audio/wav', () => {
  test('reads the header of a WAV synthesised by espeak-ng', () => {
    const wav = synthesizeFrench('Bonjour, je voudrais prendre rendez-vous.');
    const info = parseWav(wav);
    expect(detectAudioFormat(wav)).toBe('wav');
    expect(info).toMatchObject({ audioFormat: 1, channels: 1, sampleRate: 22050, bitsPerSample: 16 });
    // Duration follows from the data length, and must be a plausible spoken sentence.
    expect(info.durationMs).toBe(Math.round((info.dataBytes / (22050 * 2)) * 1000));
    expect(info.durationMs).toBeGreaterThan(1000);
    expect(info.durationMs).toBeLessThan(6000);
  });

  test('builds a PCM WAV whose header parses back to the same spec and duration', () => {
    const pcm = Buffer.alloc(16000 * 2 * 2); // 2 s of 16 kHz stereo 8-bit = 64000 bytes
    const wav = buildWav(pcm, { sampleRate: 16000, channels: 2, bitsPerSample: 8 });
    const info = parseWav(wav);
    expect(info).toMatchObject({ sampleRate: 16000, channels: 2, bitsPerSample: 8, blockAlign: 2, dataBytes: 64000, durationMs: 2000 });
    expect(wav.readUInt32LE(4)).toBe(wav.length - 8);
  });

  test('an INFO comment survives a round trip, replaces an older one, and keeps the samples', () => {
    const base = silentWav(500);
    const once = withInfoComment(base, 'première phrase');
    const twice = withInfoComment(once, 'je voudrais annuler mon rendez-vous à 14h');
    const info = parseWav(twice);
    expect(parseWav(once).comment).toBe('première phrase');
    expect(info.comment).toBe('je voudrais annuler mon rendez-vous à 14h');
    expect(info.durationMs).toBe(500);
    expect(twice.subarray(info.dataOffset, info.dataOffset + info.dataBytes).equals(base.subarray(44))).toBe(true);
  });

  test('recognises other containers by magic bytes and rejects text', () => {
    expect(detectAudioFormat(Buffer.from('OggS\0\x02rest', 'latin1'))).toBe('ogg');
    expect(detectAudioFormat(Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x01]))).toBe('webm');
    expect(detectAudioFormat(Buffer.from('ID3\x04\0', 'latin1'))).toBe('mp3');
    expect(detectAudioFormat(Buffer.from([0xff, 0xfb, 0x90, 0x64]))).toBe('mp3');
    expect(detectAudioFormat(Buffer.from('fLaC\0', 'latin1'))).toBe('flac');
    expect(detectAudioFormat(Buffer.from('hello, this is not audio'))).toBeNull();
    expect(detectAudioFormat(Buffer.alloc(0))).toBeNull();
  });

  test('a truncated WAV is reported as truncated, with the byte counts', () => {
    const wav = silentWav(1000);
    const cut = wav.subarray(0, wav.length - 1000);
    expect(() => parseWav(cut)).toThrow(WavError);
    expect(() => parseWav(cut)).toThrow(/declares 16000 bytes but only 15000 follow/);
    expect(() => parseWav(wav.subarray(0, 30))).toThrow(expect.objectContaining({ reason: 'truncated' }));
    expect(() => parseWav(Buffer.from('RIFX....WAVE'))).toThrow(expect.objectContaining({ reason: 'not_wav' }));
  });

  test('a streamed WAV with an unpatched data size is read to the end of the file', () => {
    const wav = Buffer.from(silentWav(250));
    wav.writeUInt32LE(0xffffffff, 40);
    expect(parseWav(wav).durationMs).toBe(250);
  });
});
