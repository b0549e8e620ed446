/**
 * What the transcription simulator needs to know of an uploaded file, read here rather than borrowed from the
 * product (a simulator must not agree with the code it tests by sharing it): the container from its magic bytes,
 * and for WAV the duration and the LIST/INFO comment (ICMT) that test recordings carry their words in.
 */

export type Container = 'wav' | 'ogg' | 'flac' | 'webm' | 'mp3' | 'mp4';

export function containerOf(buf: Buffer): Container | null {
  const ascii = (from: number, to: number) => (buf.length >= to ? buf.toString('latin1', from, to) : '');
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'wav';
  if (ascii(0, 4) === 'OggS') return 'ogg';
  if (ascii(0, 4) === 'fLaC') return 'flac';
  if (buf.length >= 4 && buf.readUInt32BE(0) === 0x1a45dfa3) return 'webm';
  if (ascii(0, 3) === 'ID3' || (buf.length >= 2 && buf[0] === 0xff && ((buf[1] ?? 0) & 0xe0) === 0xe0)) return 'mp3';
  if (ascii(4, 8) === 'ftyp') return 'mp4';
  return null;
}

/** Thrown for a WAV whose chunks run past the end of the file or that lacks its format or data. */
export class CorruptWav extends Error {}

export function readWavSummary(buf: Buffer): { durationSeconds: number; comment?: string } {
  let pos = 12;
  let byteRate = 0;
  let dataBytes = -1;
  let comment: string | undefined;
  while (pos + 8 <= buf.length) {
    const id = buf.toString('latin1', pos, pos + 4);
    const size = buf.readUInt32LE(pos + 4);
    const body = pos + 8;
    const left = buf.length - body;
    if (id === 'data') {
      // Streaming writers leave 0 or 0xFFFFFFFF: the data runs to the end.
      dataBytes = size === 0 || size === 0xffffffff ? left : size;
      if (dataBytes > left) throw new CorruptWav(`data chunk declares ${size} bytes, ${left} follow`);
    } else {
      if (size > left) throw new CorruptWav(`chunk ${id} declares ${size} bytes, ${left} follow`);
      if (id === 'fmt ' && size >= 16) byteRate = buf.readUInt32LE(body + 8);
      if (id === 'LIST' && buf.toString('latin1', body, body + 4) === 'INFO') comment = icmt(buf.subarray(body + 4, body + size)) ?? comment;
    }
    pos = body + Math.min(dataBytes >= 0 && id === 'data' ? dataBytes : size, left) + (size % 2);
  }
  if (byteRate <= 0 || dataBytes < 0) throw new CorruptWav('no usable fmt or data chunk');
  return { durationSeconds: dataBytes / byteRate, ...(comment !== undefined ? { comment } : {}) };
}

function icmt(info: Buffer): string | undefined {
  for (let pos = 0; pos + 8 <= info.length; ) {
    const size = info.readUInt32LE(pos + 4);
    if (info.toString('latin1', pos, pos + 4) === 'ICMT') return info.toString('utf8', pos + 8, Math.min(info.length, pos + 8 + size)).replace(/\0+$/, '');
    pos += 8 + size + (size % 2);
  }
  return undefined;
}
