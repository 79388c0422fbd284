/**
 * Scans many strings in one pass: they are joined with a separator no rule can match across,
 * linted once by secretlint's rules and once by
 * each hand-written rule, and every finding is mapped back to the string it came from.
 */
import type { Finding, TextRule } from "./finding.js";
import type { SecretlintScan } from "./secretlint.js";

/**
 * Newline ends `.`, `[^\s]` and line-based rules; NUL is neither whitespace nor base64 nor a
 * token character, so it ends classes like `[A-Za-z0-9+/=\s\\]` (secretlint's PEM rule).
 */
export const SEPARATOR = "\n\0\n";

/** No rule matches fewer characters than this (the shortest, `a://b:c@d`, has 9). */
export const MIN_SCAN_LENGTH = 8;

export type BatchScan = (texts: readonly string[]) => Finding[][];

export function createBatchScan(rules: readonly TextRule[], secretlint: SecretlintScan): BatchScan {
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
    const starts: number[] = [];
    let offset = 0;
    for (const t of strings) {
      starts.push(offset);
      offset += t.length + SEPARATOR.length;
    }
    const joined = strings.join(SEPARATOR);

    const found = secretlint(joined);
    for (const rule of rules) rule.scan(joined, found);

    for (const f of found) {
      // Last string starting at or before f.start, then every string f overlaps (clipped).
      let lo = 0;
      let hi = starts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((starts[mid] as number) <= f.start) lo = mid;
        else hi = mid - 1;
      }
      for (let s = lo; s < starts.length && (starts[s] as number) < f.end; s++) {
        const base = starts[s] as number;
        const start = Math.max(f.start, base) - base;
        const end = Math.min(f.end, base + (strings[s] as string).length) - base;
        if (end <= start) continue;
        for (const i of owners[s] as number[]) {
          (results[i] as Finding[]).push({ start, end, type: f.type, priority: f.priority });
        }
      }
    }
    return results;
  };
}
