/** What a follower knows about its host: recorded with every run, so numbers from different machines are never confused. */
import { execFile } from 'node:child_process';
import { cpus, hostname, totalmem } from 'node:os';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';

export interface GpuFacts {
  index: number;
  name: string;
  memoryMiB: number;
}

export interface HostFacts {
  hostname: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  gpus: GpuFacts[];
  /** onnxruntime execution providers this build can use. */
  providers: string[];
  onnxruntime: string;
  node: string;
  /**
   * The measured device's compute peak, GFLOP/s (peak-compute.ts), and how it was measured; set by a
   * measurement on a CPU device, absent elsewhere (registration, GPU devices) and null when the probe failed.
   */
  peakGflops?: number | null;
  peakMethod?: string;
}

/** GPUs as nvidia-smi reports them; none when it is absent or does not answer. */
export async function probeGpus(): Promise<GpuFacts[]> {
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      ['--query-gpu=index,name,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 10_000 },
    );
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [index, name, mem] = line.split(',').map((s) => s.trim());
        return { index: Number(index), name, memoryMiB: Number(mem) };
      });
  } catch {
    return [];
  }
}

export async function probeHost(): Promise<HostFacts> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: cpuList.length,
    memoryBytes: totalmem(),
    gpus: await probeGpus(),
    providers: ort.listSupportedBackends().filter((b) => b.bundled).map((b) => b.name),
    onnxruntime: ort.env.versions.node ?? 'unknown',
    node: process.version,
  };
}
