/**
 * Reads a multipart/form-data upload with one audio file (field `audio`) and a few text fields, with busboy and hard
 * limits: a body announced or found larger than the limit is a 413 before anything else happens.
 */
import Busboy from 'busboy';
import type { Request } from 'express';
import { CrmApiError } from './errors';

export interface AudioUpload {
  audio: Buffer;
  fileName: string;
  mimeType: string;
  fields: Record<string, string>;
}

/** Room for the form fields and multipart boundaries around the file. */
const OVERHEAD_BYTES = 64 * 1024;

export function readAudioUpload(req: Request, maxAudioBytes: number): Promise<AudioUpload> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) {
      reject(new CrmApiError(415, 'unsupported_media_type', 'Send the recording as multipart/form-data with the file in the field "audio".'));
      return;
    }
    const tooLarge = () => new CrmApiError(413, 'audio_too_large', `The recording is larger than ${maxAudioBytes} bytes (CRM_MAX_AUDIO_BYTES); send a shorter one.`, { max_bytes: maxAudioBytes });
    const announced = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(announced) && announced > maxAudioBytes + OVERHEAD_BYTES) {
      req.resume(); // drain, so the client reads the answer instead of a reset
      reject(tooLarge());
      return;
    }
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: req.headers, limits: { files: 1, fileSize: maxAudioBytes, fields: 20, fieldSize: 2048, parts: 25 } });
    } catch {
      reject(new CrmApiError(400, 'invalid_multipart', 'The multipart body has no boundary; let the HTTP client build the form.'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: { chunks: Buffer[]; name: string; mime: string } | null = null;
    let failure: CrmApiError | null = null;
    let received = 0;
    // Every stream here gets an 'error' listener: an unheard stream error is thrown by Node and ends the process
    // (a truncated upload used to do that through the file stream's "Unexpected end of form").
    const malformed = () => {
      failure ??= new CrmApiError(400, 'invalid_multipart', 'The multipart body is malformed or truncated; send the whole form again.');
      req.unpipe(bb);
      req.resume();
      reject(failure);
    };
    req.on('error', malformed);
    req.on('aborted', malformed);
    req.on('data', (c: Buffer) => {
      received += c.length;
      // a chunked body without Content-Length: stop reading far beyond the limit
      if (received > 2 * (maxAudioBytes + OVERHEAD_BYTES) && !failure) {
        failure = tooLarge();
        req.unpipe(bb);
        req.resume();
        reject(failure);
      }
    });
    bb.on('field', (name, value) => {
      fields[name] = value;
    });
    bb.on('file', (name, stream, info) => {
      stream.on('error', malformed);
      if (name !== 'audio' || file) {
        stream.resume();
        failure ??= new CrmApiError(400, 'invalid_request', `Unexpected file field "${name}": send one file in the field "audio".`, {
          fields: [{ path: `form.${name}`, message: 'unexpected file' }],
        });
        return;
      }
      const current = { chunks: [] as Buffer[], name: info.filename || 'audio', mime: info.mimeType };
      file = current;
      stream.on('data', (c: Buffer) => current.chunks.push(c));
      stream.on('limit', () => {
        failure = tooLarge();
      });
    });
    bb.on('error', malformed);
    bb.on('close', () => {
      if (failure) return reject(failure);
      const f = file as { chunks: Buffer[]; name: string; mime: string } | null;
      if (!f) {
        return reject(new CrmApiError(400, 'invalid_request', 'No recording: send the file in the multipart field "audio".', {
          fields: [{ path: 'form.audio', message: 'required' }],
        }));
      }
      resolve({ audio: Buffer.concat(f.chunks), fileName: f.name, mimeType: f.mime, fields });
    });
    req.pipe(bb);
  });
}
