#!/usr/bin/env bash
# Guarded setup of GuideLLM for perf/llm-crosscheck (not part of `npm run setup`: it pulls torch, ~6 GB).
# .venv-guidellm holds guidellm and gguf; the bundled GGUF's tokenizer is converted once into an HF tokenizer
# directory (GuideLLM sizes its synthetic prompts with it; nothing is downloaded from the Hugging Face hub).
# Prints nothing on stdout but the tokenizer directory at the end; progress goes to stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
say() { echo "[setup-llm-crosscheck] $*" >&2; }
GUIDELLM_VERSION=0.8.1
GGUF_VERSION=0.19.0
VENV=.venv-guidellm
GGUF=models/third-party/SmolLM2-135M-Instruct.Q4_1.gguf
TOKENIZER="$VENV/smollm2-tokenizer"
[ -s "$GGUF" ] || { say "$GGUF is missing: run npm run setup first"; exit 1; }
[ -x "$VENV/bin/python" ] || { say "creating $VENV"; python3 -m venv "$VENV" >&2; }
if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('guidellm') != '$GUIDELLM_VERSION' or m.version('gguf') != '$GGUF_VERSION')" 2>/dev/null; then
  say "pip install guidellm==$GUIDELLM_VERSION gguf==$GGUF_VERSION (torch comes with it: several minutes)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "guidellm==$GUIDELLM_VERSION" "gguf==$GGUF_VERSION" >&2
fi
if [ ! -s "$TOKENIZER/tokenizer.json" ]; then
  say "converting the GGUF's tokenizer into $TOKENIZER"
  HF_HUB_OFFLINE=1 "$VENV/bin/python" - "$GGUF" "$TOKENIZER" >&2 <<'PY'
import os, sys
from transformers import AutoTokenizer
gguf, out = sys.argv[1:]
tok = AutoTokenizer.from_pretrained(os.path.dirname(gguf), gguf_file=os.path.basename(gguf))
tok.save_pretrained(out)
PY
fi
echo "$TOKENIZER"
