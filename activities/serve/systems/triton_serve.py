"""Serve one ONNX model from NVIDIA Triton through PyTriton, with onnxruntime inside Triton's Python model.

Started by servebench's follower (activities/serve/systems/triton.ts) with a JSON spec as the only argument:
{"model": path, "name": str, "httpPort": int, "grpcPort": int, "metricsPort": int, "instances": int,
 "intraOpThreads": int, "interOpThreads": int, "maxBatchSize": int|null, "maxQueueDelayUs": int, "workspace": dir}.
Every endpoint binds 127.0.0.1. Blocks until SIGTERM/SIGINT.
"""
import json
import os
import sys
import sysconfig

import numpy as np
import onnxruntime as ort

# Triton's Python backend stub links against libpython: a pyenv (or any non-system) Python keeps it in its
# own lib folder, which tritonserver's children only find through LD_LIBRARY_PATH (set before Triton starts).
_libdir = sysconfig.get_config_var("LIBDIR")
if _libdir:
    os.environ["LD_LIBRARY_PATH"] = os.pathsep.join(p for p in [_libdir, os.environ.get("LD_LIBRARY_PATH", "")] if p)

from pytriton.decorators import batch  # noqa: E402
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor  # noqa: E402
from pytriton.models.model import Model  # noqa: E402
from pytriton.triton import Triton, TritonConfig, TritonSecurityConfig  # noqa: E402

# PyTriton's second and later instances wait only 1 s for the first instance's handshake socket: on a busy
# host (2 cores, instances starting side by side) that loses the race and Triton fails to load the model.
# Its Python model ships as files sent to Triton; give that wait 60 s there.
HANDSHAKE_WAIT = b"def get_config_from_handshake_server(socket_path: pathlib.Path, timeout_s: float = 1.0)"
_proxy_files = Model.get_proxy_model_files


def _patient_proxy_files(self):
    files = _proxy_files(self)
    key = f"file:{self.model_version}/communication.py"
    if HANDSHAKE_WAIT not in files[key]:
        raise RuntimeError("pytriton's communication.py changed: review the handshake patch in triton_serve.py")
    files[key] = files[key].replace(HANDSHAKE_WAIT, HANDSHAKE_WAIT.replace(b"1.0", b"60.0"))
    return files


Model.get_proxy_model_files = _patient_proxy_files

ORT_TO_NUMPY = {
    "tensor(float)": np.float32, "tensor(float16)": np.float16, "tensor(double)": np.float64,
    "tensor(int64)": np.int64, "tensor(int32)": np.int32, "tensor(int8)": np.int8, "tensor(uint8)": np.uint8,
    "tensor(bool)": np.bool_,
}


def session(spec):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = spec["intraOpThreads"]
    opts.inter_op_num_threads = spec["interOpThreads"]
    return ort.InferenceSession(spec["model"], opts, providers=["CPUExecutionProvider"])


def tensors(args, batched):
    """Triton tensors of an ONNX signature: the batch dimension is Triton's own when batching, else -1."""
    out = []
    for a in args:
        dims = [d if isinstance(d, int) and d > 0 else -1 for d in a.shape]
        out.append(Tensor(name=a.name, dtype=ORT_TO_NUMPY[a.type], shape=tuple(dims[1:] if batched else dims)))
    return out


def infer_function(sess):
    names = [o.name for o in sess.get_outputs()]

    @batch
    def infer(**inputs):
        return dict(zip(names, sess.run(names, inputs)))

    return infer


def main():
    spec = json.loads(sys.argv[1])
    sessions = [session(spec) for _ in range(spec["instances"])]
    first = sessions[0]
    batched = spec.get("maxBatchSize") is not None
    config = (
        ModelConfig(batching=True, max_batch_size=spec["maxBatchSize"],
                    batcher=DynamicBatcher(max_queue_delay_microseconds=spec["maxQueueDelayUs"]))
        if batched
        # No dynamic batching: each request runs alone, its batch dimension part of the tensor's shape.
        else ModelConfig(batching=False, batcher=None)
    )
    triton_config = TritonConfig(
        http_address="127.0.0.1", http_port=spec["httpPort"],
        grpc_address="127.0.0.1", grpc_port=spec["grpcPort"],
        metrics_address="127.0.0.1", metrics_port=spec["metricsPort"],
        allow_sagemaker=False, allow_vertex_ai=False, allow_gpu_metrics=False,
    )
    # No access token on the statistics endpoint: servebench reads it (everything binds 127.0.0.1).
    with Triton(config=triton_config, workspace=spec["workspace"], security_config=TritonSecurityConfig(restricted_endpoints=[])) as triton:
        triton.bind(
            model_name=spec["name"],
            # One callable per instance: Triton's instance group of that count, each with its own session.
            infer_func=[infer_function(s) for s in sessions],
            inputs=tensors(first.get_inputs(), batched),
            outputs=tensors(first.get_outputs(), batched),
            config=config,
            strict=False,
        )
        triton.serve()


if __name__ == "__main__":
    main()
