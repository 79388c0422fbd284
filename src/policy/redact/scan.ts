/**
 * Scans many strings in few passes: they are joined into chunks with a separator no rule can
 * match across, each chunk scanned once by each rule (secretlint's included), and every finding
 * is mapped back to the string it came from.
 */
import type { Finding, TextRule } from './finding.js';

/**
 * Newline ends `.`, `[^\s]` and line-based rules; NUL is neither whitespace nor base64 nor a
 * token character, so it ends classes like `[A-Za-z0-9+/=\s\\]` (secretlint's PEM rule).
 */
export const SEPARATOR = '\n\0\n';

/** No rule matches fewer characters than this (the shortest, `a://b:c@d`, has 9). */
export const MIN_SCAN_LENGTH = 8;

/**
 * Strings are joined up to this many characters per chunk. A joined string past V8's regular
 * object size lands in large-object space: a fresh mmap per join, which cost ~10 ms per MB on
 * the benchmark machine (a third of the whole redaction). Below it, joining is ~0.3 ms per MB.
 * Smaller chunks also let the keyword pre-filter (keywords.ts) skip more text: it gates per chunk.
 * A longer string is its own chunk, scanned as it is.
 */
export const CHUNK_CHARS = 32 * 1024;

export type BatchScan = (texts: readonly string[]) => Finding[][];

interface Chunk {
  strings: string[];
  /** Each string's offset in the joined chunk. */
  starts: number[];
  /** For each string, the indexes of the unique strings it stands for. */
  owners: number[];
}

/** Groups strings (in order) into chunks of at most CHUNK_CHARS joined characters. */
function chunk(strings: readonly string[]): Chunk[] {
  const chunks: Chunk[] = [];
  let current: Chunk | undefined;
  let length = 0;
  strings.forEach((t, i) => {
    if (current === undefined || length + SEPARATOR.length + t.length > CHUNK_CHARS) {
      current = { strings: [], starts: [], owners: [] };
      chunks.push(current);
      length = -SEPARATOR.length;
    }
    length += SEPARATOR.length;
    current.starts.push(length);
    current.strings.push(t);
    current.owners.push(i);
    length += t.length;
  });
  return chunks;
}

export function createBatchScan(rules: readonly TextRule[]): BatchScan {
  /** Findings of each string of `c`, in its own offsets. */
  const scanChunk = (c: Chunk, results: Finding[][]): void => {
    const joined = c.strings.length === 1 ? (c.strings[0] as string) : c.strings.join(SEPARATOR);
    const found: Finding[] = [];
    for (const rule of rules) rule.scan(joined, found);
    for (const f of found) {
      // Last string starting at or before f.start, then every string f overlaps (clipped).
      let lo = 0;
      let hi = c.starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((c.starts[mid] as number) <= f.start) lo = mid;
        else hi = mid - 1;
      }
      for (let s = lo; s < c.starts.length && (c.starts[s] as number) < f.end; s++) {
        const base = c.starts[s] as number;
        const start = Math.max(f.start, base) - base;
        const end = Math.min(f.end, base + (c.strings[s] as string).length) - base;
        if (end <= start) continue;
        (results[c.owners[s] as number] as Finding[]).push({ start, end, type: f.type, priority: f.priority });
      }
    }
  };

  return (texts) => {
    const results: Finding[][] = texts.map(() => []);
    // Identical strings (a system prompt repeated in a record) are scanned once.
    const unique = new Map<string, number[]>();
    texts.forEach((t, i) => {
      if (t.length < MIN_SCAN_LENGTH) return;
      const seen = unique.get(t);
      if (seen) seen.push(i);
      else unique.set(t, [i]);
    });
    if (unique.size === 0) return results;

    const strings = [...unique.keys()];
    const owners = [...unique.values()];
    const found: Finding[][] = strings.map(() => []);
    for (const c of chunk(strings)) scanChunk(c, found);
    strings.forEach((_, s) => {
      for (const i of owners[s] as number[])
        for (const f of found[s] as Finding[]) (results[i] as Finding[]).push({ ...f });
    });
    return results;
  };
}
