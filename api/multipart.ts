/**
 * Reads a multipart/form-data upload with one file (in a named field) and a few text fields, with busboy and hard
 * limits: a body announced or found larger than the limit is a 413 before anything else happens. Routes declare it
 * with `upload` in the route table (api/http.ts).
 */
import Busboy from 'busboy';
import type { Request } from 'express';
import { ApiError } from './errors';

export interface UploadedFile {
  data: Buffer;
  fileName: string;
  mimeType: string;
}

export interface UploadSpec {
  /** The form field that carries the file. */
  field: string;
  maxBytes: number;
  /** Error code and what to send, for a body over the limit (e.g. audio_too_large). */
  tooLargeCode?: string;
  what?: string;
}

/** Room for the form fields and multipart boundaries around the file. */
const OVERHEAD_BYTES = 64 * 1024;

export function readUpload(req: Request, spec: UploadSpec): Promise<{ file: UploadedFile; fields: Record<string, string> }> {
  const maxBytes = spec.maxBytes;
  const what = spec.what ?? 'file';
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'] ?? '';
    if (!/^multipart\/form-data/i.test(type)) {
      reject(new ApiError(415, 'unsupported_media_type', `Send the ${what} as multipart/form-data with the file in the field "${spec.field}".`));
      return;
    }
    const tooLarge = () => new ApiError(413, spec.tooLargeCode ?? 'payload_too_large', `The ${what} is larger than ${maxBytes} bytes; send a smaller one.`, { max_bytes: maxBytes });
    const announced = Number(req.headers['content-length'] ?? NaN);
    if (Number.isFinite(announced) && announced > maxBytes + OVERHEAD_BYTES) {
      req.resume(); // drain, so the client reads the answer instead of a reset
      reject(tooLarge());
      return;
    }
    let bb: Busboy.Busboy;
    try {
      bb = Busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes, fields: 20, fieldSize: 2048, parts: 25 } });
    } catch {
      reject(new ApiError(400, 'invalid_multipart', 'The multipart body has no boundary; let the HTTP client build the form.'));
      return;
    }
    const fields: Record<string, string> = {};
    let file: { chunks: Buffer[]; name: string; mime: string } | null = null;
    let failure: ApiError | null = null;
    let received = 0;
    // Every stream here gets an 'error' listener: an unheard stream error is thrown by Node and ends the process
    // (a truncated upload used to do that through the file stream's "Unexpected end of form").
    const malformed = () => {
      failure ??= new ApiError(400, 'invalid_multipart', 'The multipart body is malformed or truncated; send the whole form again.');
      req.unpipe(bb);
      req.resume();
      reject(failure);
    };
    req.on('error', malformed);
    req.on('aborted', malformed);
    req.on('data', (c: Buffer) => {
      received += c.length;
      // a chunked body without Content-Length: stop reading far beyond the limit
      if (received > 2 * (maxBytes + OVERHEAD_BYTES) && !failure) {
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
      if (name !== spec.field || file) {
        stream.resume();
        failure ??= new ApiError(400, 'invalid_request', `Unexpected file field "${name}": send one file in the field "${spec.field}".`, {
          fields: [{ path: `form.${name}`, message: 'unexpected file' }],
        });
        return;
      }
      const current = { chunks: [] as Buffer[], name: info.filename || spec.field, mime: info.mimeType };
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
        return reject(new ApiError(400, 'invalid_request', `No ${what}: send the file in the multipart field "${spec.field}".`, {
          fields: [{ path: `form.${spec.field}`, message: 'required' }],
        }));
      }
      resolve({ file: { data: Buffer.concat(f.chunks), fileName: f.name, mimeType: f.mime }, fields });
    });
    req.pipe(bb);
  });
}
