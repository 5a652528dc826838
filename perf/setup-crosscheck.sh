#!/usr/bin/env bash
# Guarded setup of the independent clients perf/crosscheck uses; every step is skipped when already present.
# Prints nothing on stdout but `ok` at the end; progress goes to stderr.
set -u
cd "$(dirname "$0")/.."
say() { echo "[setup-crosscheck] $*" >&2; }
PY=.venv/bin/python
if [ ! -x "$PY" ]; then
  say "creating .venv"; python3 -m venv .venv >&2 || say "cannot create .venv"
fi
if [ -x "$PY" ]; then
  if [ ! -x .venv/bin/perf_analyzer ] || ! "$PY" -c 'import tritonclient.http' 2>/dev/null; then
    say "pip install tritonclient==2.40.0 (manylinux wheel ships perf_analyzer)"
    .venv/bin/pip install -q 'tritonclient[http]==2.40.0' >&2 || say "pip install tritonclient failed"
  fi
  if ! "$PY" -c 'import nvidia.cuda_runtime' 2>/dev/null; then
    say "pip install nvidia-cuda-runtime-cu12 (libcudart.so.12 for perf_analyzer)"
    .venv/bin/pip install -q nvidia-cuda-runtime-cu12 >&2 || say "pip install nvidia-cuda-runtime-cu12 failed"
  fi
fi
need_apt=()
ldconfig -p 2>/dev/null | grep -q 'libb64.so.0d' || need_apt+=(libb64-0d)
command -v wrk >/dev/null || need_apt+=(wrk)
if [ ${#need_apt[@]} -gt 0 ]; then
  if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
    say "apt-get install ${need_apt[*]}"
    apt-get install -y "${need_apt[@]}" >&2 || { apt-get update >&2 && apt-get install -y "${need_apt[@]}" >&2; } || say "apt-get install failed"
  else
    say "missing ${need_apt[*]} and cannot apt-get install (not root or no apt)"
  fi
fi
echo ok
