/** The measuring hosts in words, for the HTML page and the Markdown summary alike (no escaping here). */
import type { HostInfo } from './data';
import { formatNumber } from './format';

const GIB = 1024 ** 3;

/** Label → text, in reading order; a fact the record lacks is left out rather than guessed. */
export function hostFacts(h: HostInfo): [string, string][] {
  const facts: [string, string][] = [];
  if (h.cpuModel) facts.push(['CPU', h.cpuModel]);
  if (h.cores !== null) facts.push(['cores', String(h.cores)]);
  if (h.memoryBytes !== null) facts.push(['memory', `${formatNumber(h.memoryBytes / GIB)} GiB`]);
  facts.push(['GPU', h.gpus.length ? h.gpus.map((g) => `${g.index}: ${g.name} (${formatNumber(g.memoryMiB / 1024)} GiB)`).join(', ') : 'none']);
  if (h.onnxruntime) facts.push(['onnxruntime', h.onnxruntime]);
  if (h.usedProviders.length) facts.push(['provider', h.usedProviders.join(', ')]);
  if (h.providers.length) facts.push(['providers available', h.providers.join(', ')]);
  if (h.peakGflops !== null) facts.push(['measured peak', `${formatNumber(h.peakGflops)} GFLOP/s`]);
  if (h.node_js) facts.push(['Node.js', h.node_js]);
  return facts;
}

/** "node-1 (hostname)" or whichever of the two is known, and the devices measured: "node-1 (box), device cpu1". */
export function hostName(h: HostInfo): string {
  const name = h.node && h.hostname && h.node !== h.hostname ? `${h.node} (${h.hostname})` : (h.node ?? h.hostname ?? 'unknown host');
  return h.devices.length ? `${name}, device${h.devices.length > 1 ? 's' : ''} ${h.devices.join(', ')}` : name;
}
