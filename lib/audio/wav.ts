/**
 * Small, dependency-free audio helpers: recognise an audio container by its magic bytes, read a RIFF/WAVE header
 * (format, rate, channels, duration, INFO comment), build a PCM WAV and attach a LIST/INFO comment (ICMT).
 * Used before uploading speech to a transcription server, by the speech simulator, and by test tooling.
 */

export type AudioFormat = 'wav' | 'ogg' | 'webm' | 'mp3' | 'flac';

export class WavError extends Error {
  override name = 'WavError';
  constructor(
    message: string,
    /** 'not_wav' (no RIFF/WAVE), 'truncated' (header or data cut short), 'invalid' (inconsistent fields). */
    readonly reason: 'not_wav' | 'truncated' | 'invalid',
  ) {
    super(message);
  }
}

/** Recognises the container from its first bytes; null when none of the accepted formats matches. */
export function detectAudioFormat(buf: Uint8Array): AudioFormat | null {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WAVE') return 'wav';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'OggS') return 'ogg';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'fLaC') return 'flac';
  // WebM/Matroska: EBML header element id 1A 45 DF A3.
  if (b.length >= 4 && b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return 'webm';
  // MP3: an ID3v2 tag, or an MPEG audio frame sync (11 set bits) with a valid layer and bitrate index.
  if (b.length >= 3 && b.toString('latin1', 0, 3) === 'ID3') return 'mp3';
  if (b.length >= 3 && b[0] === 0xff && ((b[1] ?? 0) & 0xe0) === 0xe0) {
    const layer = ((b[1] ?? 0) >> 1) & 0x03;
    const bitrate = ((b[2] ?? 0) >> 4) & 0x0f;
    if (layer !== 0 && bitrate !== 0x0f) return 'mp3';
  }
  return null;
}

export interface WavInfo {
  /** 1 = PCM, 3 = IEEE float, 6 = A-law, 7 = µ-law, 0xFFFE = extensible. */
  audioFormat: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  byteRate: number;
  /** Offset and length of the sample data inside the buffer. */
  dataOffset: number;
  dataBytes: number;
  durationMs: number;
  /** Text of the LIST/INFO ICMT (comment) sub-chunk, when present. */
  comment?: string;
}

/** Chunk sizes written as this value by streaming writers mean "until the end of the file". */
const UNKNOWN_SIZE = 0xffffffff;

/**
 * Reads a RIFF/WAVE buffer. Throws WavError when it is not a WAV, when the header or the declared sample data is
 * cut short, or when the format fields contradict each other.
 */
export function parseWav(input: Uint8Array): WavInfo {
  const buf = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (buf.length < 12 || buf.toString('latin1', 0, 4) !== 'RIFF' || buf.toString('latin1', 8, 12) !== 'WAVE') {
    throw new WavError('not a WAV file: the first 12 bytes are not "RIFF....WAVE"', 'not_wav');
  }
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'durationMs' | 'comment'> | undefined;
  let dataOffset = -1;
  let dataBytes = 0;
  let comment: string | undefined;
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const declared = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    const remaining = buf.length - body;
    if (id === 'data') {
      if (declared === UNKNOWN_SIZE || declared === 0) {
        dataBytes = remaining; // written by a streaming recorder that never patched the size
      } else if (declared > remaining) {
        throw new WavError(`WAV data chunk declares ${declared} bytes but only ${remaining} follow: the file is truncated`, 'truncated');
      } else {
        dataBytes = declared;
      }
      dataOffset = body;
      pos = body + dataBytes + (dataBytes % 2);
      continue;
    }
    if (declared > remaining) {
      throw new WavError(`WAV chunk '${id}' at byte ${pos} declares ${declared} bytes but only ${remaining} follow: the file is truncated`, 'truncated');
    }
    if (id === 'fmt ') {
      if (declared < 16) throw new WavError(`WAV 'fmt ' chunk is ${declared} bytes, expected at least 16`, 'invalid');
      fmt = {
        audioFormat: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        sampleRate: buf.readUInt32LE(body + 4),
        byteRate: buf.readUInt32LE(body + 8),
        blockAlign: buf.readUInt16LE(body + 12),
        bitsPerSample: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'LIST' && declared >= 4 && buf.toString('latin1', body, body + 4) === 'INFO') {
      comment = readInfoComment(buf.subarray(body + 4, body + declared)) ?? comment;
    }
    pos = body + declared + (declared % 2);
  }
  if (!fmt) throw new WavError("WAV has no 'fmt ' chunk before the end of the file (truncated header?)", 'truncated');
  if (dataOffset < 0) throw new WavError("WAV has no 'data' chunk (truncated file?)", 'truncated');
  if (fmt.channels < 1) throw new WavError('WAV declares 0 channels', 'invalid');
  if (fmt.sampleRate < 1) throw new WavError('WAV declares a sample rate of 0', 'invalid');
  if (fmt.blockAlign < 1) throw new WavError('WAV declares a block alignment of 0', 'invalid');
  const bytesPerSecond = fmt.byteRate > 0 ? fmt.byteRate : fmt.sampleRate * fmt.blockAlign;
  const durationMs = Math.round((dataBytes / bytesPerSecond) * 1000);
  return { ...fmt, dataOffset, dataBytes, durationMs, ...(comment !== undefined ? { comment } : {}) };
}

function readInfoComment(info: Buffer): string | undefined {
  let pos = 0;
  while (pos + 8 <= info.length) {
    const id = info.toString('latin1', pos, pos + 4);
    const size = info.readUInt32LE(pos + 4);
    const end = Math.min(info.length, pos + 8 + size);
    if (id === 'ICMT') return info.toString('utf8', pos + 8, end).replace(/\0+$/, '');
    pos = pos + 8 + size + (size % 2);
  }
  return undefined;
}

export interface PcmSpec {
  sampleRate: number;
  channels: number;
  /** 8 or 16 (signed little-endian for 16). */
  bitsPerSample: 8 | 16;
}

/** Builds a PCM WAV (RIFF header, 'fmt ' and 'data') around raw interleaved samples. */
export function buildWav(pcm: Uint8Array, spec: PcmSpec): Buffer {
  const blockAlign = spec.channels * (spec.bitsPerSample / 8);
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0);
  fmt.writeUInt16LE(spec.channels, 2);
  fmt.writeUInt32LE(spec.sampleRate, 4);
  fmt.writeUInt32LE(spec.sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(spec.bitsPerSample, 14);
  return riff([chunk('fmt ', fmt), chunk('data', Buffer.from(pcm))]);
}

/** Silence (or a quiet tone) of the given length, handy for tests that need a valid WAV of a known duration. */
export function silentWav(durationMs: number, spec: PcmSpec = { sampleRate: 8000, channels: 1, bitsPerSample: 16 }): Buffer {
  const frames = Math.round((durationMs / 1000) * spec.sampleRate);
  return buildWav(Buffer.alloc(frames * spec.channels * (spec.bitsPerSample / 8)), spec);
}

/**
 * Returns a copy of a WAV with a LIST/INFO chunk carrying `comment` as ICMT (an existing LIST/INFO is replaced).
 * The speech simulator reads this comment as the transcript, so test audio can carry its own words.
 */
export function withInfoComment(wav: Uint8Array, comment: string): Buffer {
  const info = parseWav(wav); // validates the input
  const buf = Buffer.from(wav.buffer, wav.byteOffset, wav.byteLength);
  const kept: Buffer[] = [];
  let pos = 12;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    let size = buf.readUInt32LE(pos + 4);
    if (id === 'data') size = info.dataBytes;
    const end = pos + 8 + size;
    const isInfo = id === 'LIST' && buf.toString('latin1', pos + 8, pos + 12) === 'INFO';
    if (!isInfo) kept.push(chunk(id, buf.subarray(pos + 8, end)));
    pos = end + (size % 2);
  }
  const text = Buffer.from(comment + '\0', 'utf8');
  const list = chunk('LIST', Buffer.concat([Buffer.from('INFO', 'latin1'), chunk('ICMT', text)]));
  return riff([...kept, list]);
}

function chunk(id: string, body: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(id, 0, 4, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat(body.length % 2 ? [head, body, Buffer.alloc(1)] : [head, body]);
}

function riff(chunks: Buffer[]): Buffer {
  const body = Buffer.concat(chunks);
  const head = Buffer.alloc(12);
  head.write('RIFF', 0, 4, 'latin1');
  head.writeUInt32LE(body.length + 4, 4);
  head.write('WAVE', 8, 4, 'latin1');
  return Buffer.concat([head, body]);
}
