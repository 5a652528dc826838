"""An MLServer runtime that runs one ONNX model with onnxruntime (CPU).

servebench's follower writes model-settings.json (activities/serve/systems/mlserver-config.ts) with
`implementation: servebench_mlserver.OnnxRuntimeModel`, the model file as `parameters.uri`, and the thread
settings under `parameters.extra`; this directory is on PYTHONPATH, so parallel workers import it too.
"""
import numpy as np
import onnxruntime as ort
from mlserver import MLModel
from mlserver.codecs import NumpyCodec
from mlserver.types import InferenceRequest, InferenceResponse


class OnnxRuntimeModel(MLModel):
    async def load(self) -> bool:
        params = self.settings.parameters
        extra = params.extra or {}
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = int(extra.get("intraOpThreads", 1))
        opts.inter_op_num_threads = int(extra.get("interOpThreads", 1))
        self._session = ort.InferenceSession(params.uri, opts, providers=["CPUExecutionProvider"])
        self._inputs = [i.name for i in self._session.get_inputs()]
        self._outputs = [o.name for o in self._session.get_outputs()]
        return True

    async def predict(self, payload: InferenceRequest) -> InferenceResponse:
        given = {i.name: i for i in payload.inputs}
        missing = [n for n in self._inputs if n not in given]
        if missing:
            raise ValueError(f"missing inputs: {', '.join(missing)}")
        feeds = {n: np.ascontiguousarray(NumpyCodec.decode_input(given[n])) for n in self._inputs}
        results = self._session.run(self._outputs, feeds)
        return InferenceResponse(
            model_name=self.name,
            model_version=self.version,
            outputs=[NumpyCodec.encode_output(name, value) for name, value in zip(self._outputs, results)],
        )
