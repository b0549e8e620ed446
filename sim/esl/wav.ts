/**
 * Minimal, dependency-free WAV (RIFF) reading and writing for the event-socket simulator: enough to know how
 * long a prompt plays and to write what a caller "said" into a real 8 kHz mono 16-bit PCM recording, as
 * FreeSWITCH's `record` does on a narrowband call.
 */

export interface PcmAudio {
  sampleRate: number;
  /** Mono samples, -32768..32767. */
  samples: Int16Array;
}

export class WavFormatError extends Error {
  override name = 'WavFormatError';
}

/** Decodes PCM 8/16/24/32-bit integer or 32-bit float WAV data, mixing channels down to mono. */
export function readWav(buf: Buffer): PcmAudio {
  if (buf.length < 12 || buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') {
    throw new WavFormatError('not a RIFF/WAVE file: the first 12 bytes must read "RIFF....WAVE"');
  }
  let pos = 12;
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  let data: Buffer | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('ascii', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const start = pos + 8;
    const end = Math.min(start + size, buf.length);
    if (id === 'fmt ') {
      if (size < 16) throw new WavFormatError(`fmt chunk too short (${size} bytes, need 16)`);
      let format = buf.readUInt16LE(start);
      // WAVE_FORMAT_EXTENSIBLE carries the real format in the first two bytes of its sub-format GUID.
      if (format === 0xfffe && size >= 26) format = buf.readUInt16LE(start + 24);
      fmt = { format, channels: buf.readUInt16LE(start + 2), rate: buf.readUInt32LE(start + 4), bits: buf.readUInt16LE(start + 14) };
    } else if (id === 'data') {
      data = buf.subarray(start, end);
    }
    pos = start + size + (size % 2);
  }
  if (!fmt) throw new WavFormatError('no fmt chunk in the WAV file');
  if (!data) throw new WavFormatError('no data chunk in the WAV file');
  const { format, channels, rate, bits } = fmt;
  if (channels < 1) throw new WavFormatError('WAV file declares 0 channels');
  const bytes = bits / 8;
  const isFloat = format === 3;
  if (!((format === 1 && [8, 16, 24, 32].includes(bits)) || (isFloat && bits === 32))) {
    throw new WavFormatError(`unsupported WAV encoding (format ${format}, ${bits} bits): use PCM 8/16/24/32-bit or float32`);
  }
  const frames = Math.floor(data.length / (bytes * channels));
  const out = new Int16Array(frames);
  for (let i = 0; i < frames; i++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const o = (i * channels + c) * bytes;
      let v: number;
      if (isFloat) v = data.readFloatLE(o);
      else if (bits === 8) v = (data.readUInt8(o) - 128) / 128;
      else if (bits === 16) v = data.readInt16LE(o) / 32768;
      else if (bits === 24) v = data.readIntLE(o, 3) / 8388608;
      else v = data.readInt32LE(o) / 2147483648;
      acc += v;
    }
    out[i] = clamp16(Math.round((acc / channels) * 32767));
  }
  return { sampleRate: rate, samples: out };
}

/** Encodes mono 16-bit PCM as a canonical 44-byte-header WAV file. */
export function writeWav(audio: PcmAudio): Buffer {
  const dataLen = audio.samples.length * 2;
  const buf = Buffer.alloc(44 + dataLen);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + dataLen, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(audio.sampleRate, 24);
  buf.writeUInt32LE(audio.sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(dataLen, 40);
  for (let i = 0; i < audio.samples.length; i++) buf.writeInt16LE(audio.samples[i] ?? 0, 44 + i * 2);
  return buf;
}

/** Linear-interpolation resampling; good enough for speech a simulator stores. */
export function resample(audio: PcmAudio, rate: number): PcmAudio {
  if (audio.sampleRate === rate) return audio;
  const ratio = audio.sampleRate / rate;
  const n = Math.floor(audio.samples.length / ratio);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) {
    const x = i * ratio;
    const i0 = Math.floor(x);
    const a = audio.samples[i0] ?? 0;
    const b = audio.samples[i0 + 1] ?? a;
    out[i] = clamp16(Math.round(a + (b - a) * (x - i0)));
  }
  return { sampleRate: rate, samples: out };
}

export function durationMs(audio: PcmAudio): number {
  return (audio.samples.length / audio.sampleRate) * 1000;
}

export function silence(sampleRate: number, ms: number): PcmAudio {
  return { sampleRate, samples: new Int16Array(Math.max(0, Math.round((sampleRate * ms) / 1000))) };
}

export function concat(rate: number, parts: PcmAudio[]): PcmAudio {
  const conv = parts.map((p) => resample(p, rate).samples);
  const out = new Int16Array(conv.reduce((n, s) => n + s.length, 0));
  let off = 0;
  for (const s of conv) {
    out.set(s, off);
    off += s.length;
  }
  return { sampleRate: rate, samples: out };
}

function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}
