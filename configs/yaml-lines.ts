/** Maps a config path back to the line of the YAML node it came from. */
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import type { PathSegment } from './errors';

function lineAt(lc: LineCounter, node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? lc.linePos(range[0]).line : undefined;
}

/**
 * The 1-based line for `path`: a scalar's own line; for a mapping value, the line of its key;
 * for a missing key, the line of the nearest present parent's key (line 1 at the top level).
 */
export function lineOf(doc: Document, lc: LineCounter, path: readonly PathSegment[]): number {
  let node: unknown = doc.contents;
  let line = lineAt(lc, node) ?? 1;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(seg));
      if (!pair) return line;
      line = lineAt(lc, pair.key) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && seg < node.items.length) {
      node = node.items[seg];
      line = lineAt(lc, node) ?? line;
    } else {
      return line;
    }
  }
  // `rate:\n  fast` puts the bad value on its own line; point there.
  return isScalar(node) ? (lineAt(lc, node) ?? line) : line;
}
