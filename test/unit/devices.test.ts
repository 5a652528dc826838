import { formatCpuList, parseCpuList, parseDevices } from '../../activities/probe/devices';

describe('parseDevices', () => {
  test('cpu is the whole host', () => {
    expect(parseDevices(['cpu'], 4, [])).toEqual([{ name: 'cpu', type: 'cpu', cores: [0, 1, 2, 3] }]);
  });

  test('cpuN without cores share the host evenly, in order', () => {
    expect(parseDevices(['cpu0', 'cpu1'], 2, [])).toEqual([
      { name: 'cpu0', type: 'cpu', cores: [0] },
      { name: 'cpu1', type: 'cpu', cores: [1] },
    ]);
    expect(parseDevices(['cpu0', 'cpu1'], 5, []).map((d) => d.cores)).toEqual([[0, 1, 2], [3, 4]]);
  });

  test('explicit core lists, and implicit devices share what they leave', () => {
    expect(parseDevices(['cpu0=0-1', 'cpu1=2,3'], 4, []).map((d) => d.cores)).toEqual([[0, 1], [2, 3]]);
    expect(parseDevices(['cpu0', 'cpu1=0'], 3, []).map((d) => d.cores)).toEqual([[1, 2], [0]]);
  });

  test('a comma-split CLI list is rejoined: cpu1=2,3 arrives as cpu1=2 and 3', () => {
    expect(parseDevices(['cpu0=0-1', 'cpu1=2', '3'], 4, []).map((d) => d.cores)).toEqual([[0, 1], [2, 3]]);
  });

  test('gpuN gets the cores no CPU device took, or all', () => {
    const gpus = [{ index: 0 }, { index: 1 }];
    expect(parseDevices(['cpu0=0', 'gpu1'], 4, gpus)).toEqual([
      { name: 'cpu0', type: 'cpu', cores: [0] },
      { name: 'gpu1', type: 'gpu', cores: [1, 2, 3], gpuIndex: 1 },
    ]);
    expect(parseDevices(['cpu', 'gpu0'], 2, gpus)[1]).toEqual({ name: 'gpu0', type: 'gpu', cores: [0, 1], gpuIndex: 0 });
  });

  test.each([
    [['tpu0'], /device "tpu0": unknown form/],
    [['cpu0=x'], /device "cpu0=x": "x" is not a CPU list/],
    [['cpu0=0-1', 'cpu1=1'], /device "cpu1=1": core 1 is also cpu0=0-1's/],
    [['cpu', 'cpu0'], /device "cpu0": no core left for it \(the other CPU devices hold all 2 cores\)/],
    [['cpu0=4'], /device "cpu0=4": core 4 beyond this host's 4 cores/],
    [['cpu0', 'cpu1', 'cpu2'], /devices cpu0, cpu1, cpu2: more CPU devices than cores \(3 devices, 2 free of 2 cores\)/],
    [['cpu0', 'cpu0=1'], /device "cpu0=1": duplicate device name "cpu0"/],
    [['gpu0'], /device "gpu0": no GPU with index 0 on this host; GPUs here: none/],
    [[], /no devices/],
  ])('%j is refused', (specs, message) => {
    const cores = (specs as string[]).some((s) => s.includes('=4')) ? 4 : 2;
    expect(() => parseDevices(specs as string[], cores, [])).toThrow(message);
  });

  test('a GPU index that is not there names those that are', () => {
    expect(() => parseDevices(['gpu2'], 2, [{ index: 0 }, { index: 1 }])).toThrow('device "gpu2": no GPU with index 2 on this host; GPUs here: gpu0, gpu1');
  });
});

describe('CPU lists', () => {
  test('parse and format are taskset style', () => {
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
    expect(formatCpuList([5, 0, 1, 2])).toBe('0-2,5');
    expect(formatCpuList([0])).toBe('0');
    expect(formatCpuList([0, 2])).toBe('0,2');
    expect(() => parseCpuList('3-1')).toThrow(/backwards/);
  });
});
