"""
Closed-loop load from Triton's own Python client (tritonclient.http or tritonclient.grpc, from .venv-systems):
perf/crosscheck.ts's independent client where perf_analyzer (and, for HTTP, wrk) cannot run. `concurrency`
threads, each with its own client, send the same FP32 request back to back for warmup_s + duration_s; prints one
JSON line: completions per second answered within the measured window, and their p50 latency (ms).

Usage: python tritonclient_load.py '{"protocol": "grpc", "url": "127.0.0.1:8001", "model": "m", "input": "input",
        "shape": [1, 64], "values": [...], "concurrency": 4, "warmup_s": 1, "duration_s": 3}'
"""
import json
import sys
import threading
import time

import numpy as np


def main() -> None:
    o = json.loads(sys.argv[1])
    if o["protocol"] == "grpc":
        import tritonclient.grpc as client_mod
    else:
        import tritonclient.http as client_mod
    data = np.array(o["values"], dtype=np.float32).reshape(o["shape"])
    start = time.perf_counter()
    window = (start + o["warmup_s"], start + o["warmup_s"] + o["duration_s"])
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        client = client_mod.InferenceServerClient(url=o["url"])
        inp = client_mod.InferInput(o["input"], list(data.shape), "FP32")
        if o["protocol"] == "grpc":
            inp.set_data_from_numpy(data)
        else:
            inp.set_data_from_numpy(data, binary_data=False)  # JSON tensors, as the HTTP crosscheck sends
        while True:
            t0 = time.perf_counter()
            if t0 >= window[1]:
                break
            try:
                client.infer(o["model"], [inp])
            except Exception as e:  # noqa: BLE001 - counted and reported, not fatal
                with lock:
                    errors.append(str(e)[:200])
                continue
            t1 = time.perf_counter()
            if window[0] <= t0 and t1 <= window[1]:
                with lock:
                    latencies.append((t1 - t0) * 1000)
        client.close()

    threads = [threading.Thread(target=worker) for _ in range(o["concurrency"])]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    p50 = latencies[len(latencies) // 2] if latencies else float("nan")
    print(json.dumps({"throughput": len(latencies) / o["duration_s"], "p50Ms": p50, "errors": len(errors), "errorSamples": errors[:3]}))


if __name__ == "__main__":
    main()
