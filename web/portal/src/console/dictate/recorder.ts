/**
 * Recording in the browser with MediaRecorder: WebM/Opus where the browser has it (Chromium, Firefox), else the
 * browser's own default (Safari: MP4/AAC, which the API refuses with a clear 415/422: upload a file instead).
 */
import { useCallback, useEffect, useRef, useState } from 'react';

export type RecorderStatus = 'idle' | 'starting' | 'recording' | 'denied' | 'unsupported';

const PREFERRED = 'audio/webm;codecs=opus';

export function useRecorder(): {
  status: RecorderStatus;
  seconds: number;
  start: () => Promise<void>;
  stop: () => Promise<Blob | null>;
} {
  const [status, setStatus] = useState<RecorderStatus>(() =>
    typeof MediaRecorder === 'undefined' || !navigator.mediaDevices?.getUserMedia ? 'unsupported' : 'idle');
  const [seconds, setSeconds] = useState(0);
  const recorder = useRef<MediaRecorder | null>(null);
  const chunks = useRef<Blob[]>([]);
  const timer = useRef<number | null>(null);

  const release = useCallback(() => {
    if (timer.current !== null) window.clearInterval(timer.current);
    timer.current = null;
    recorder.current?.stream.getTracks().forEach((t) => t.stop());
    recorder.current = null;
  }, []);
  useEffect(() => release, [release]);

  const start = useCallback(async () => {
    if (recorder.current) return;
    setStatus('starting');
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      setStatus('denied');
      return;
    }
    const mimeType = MediaRecorder.isTypeSupported(PREFERRED) ? PREFERRED : undefined;
    const r = new MediaRecorder(stream, mimeType ? { mimeType } : {});
    chunks.current = [];
    r.ondataavailable = (e) => {
      if (e.data.size > 0) chunks.current.push(e.data);
    };
    recorder.current = r;
    r.start(250);
    setSeconds(0);
    const began = Date.now();
    timer.current = window.setInterval(() => setSeconds(Math.round((Date.now() - began) / 1000)), 500);
    setStatus('recording');
  }, []);

  const stop = useCallback(async (): Promise<Blob | null> => {
    const r = recorder.current;
    if (!r) return null;
    const done = new Promise<void>((resolve) => {
      r.onstop = () => resolve();
    });
    r.stop();
    await done;
    const blob = new Blob(chunks.current, { type: r.mimeType || 'audio/webm' });
    release();
    setStatus('idle');
    return blob.size > 0 ? blob : null;
  }, [release]);

  return { status, seconds, start, stop };
}

/** The file name the upload carries (the API reads the format from the bytes; the name helps a person reading logs). */
export function recordingFileName(blob: Blob): string {
  if (blob.type.includes('ogg')) return 'dictee.ogg';
  if (blob.type.includes('mp4')) return 'dictee.m4a';
  return 'dictee.webm';
}
