import type { Finding } from './finding.js';
import { placeholderSpans, type Tagger } from './tag.js';

/** Overlapping findings become one span (the union: never expose part of a secret). */
export function mergeFindings(findings: readonly Finding[]): Finding[] {
  const sorted = findings.filter((f) => f.end > f.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: Finding[] = [];
  for (const f of sorted) {
    const last = merged[merged.length - 1];
    if (last !== undefined && f.start < last.end) {
      last.end = Math.max(last.end, f.end);
      if (f.priority > last.priority) {
        last.type = f.type;
        last.priority = f.priority;
      }
    } else {
      merged.push({ ...f });
    }
  }
  return merged;
}

/** Cuts existing placeholders out of the findings, so a second pass changes nothing. */
function subtractPlaceholders(findings: Finding[], text: string): Finding[] {
  const spans = placeholderSpans(text);
  if (spans.length === 0) return findings;
  const out: Finding[] = [];
  for (const f of findings) {
    let start = f.start;
    for (const [ps, pe] of spans) {
      if (pe <= start || ps >= f.end) continue;
      if (ps > start) out.push({ ...f, start, end: ps });
      start = Math.max(start, pe);
    }
    if (start < f.end) out.push({ ...f, start });
  }
  return out;
}

/**
 * Replaces every finding in `text` by its placeholder and counts replacements into `counts`.
 * Returns `text` itself when there is nothing to do.
 */
export function applyFindings(
  text: string,
  findings: readonly Finding[],
  tagger: Tagger,
  counts: Record<string, number>,
): string {
  if (findings.length === 0) return text;
  const pieces = subtractPlaceholders(mergeFindings(findings), text);
  if (pieces.length === 0) return text;
  let out = '';
  let pos = 0;
  for (const p of pieces) {
    out += text.slice(pos, p.start) + tagger(text.slice(p.start, p.end), p.type);
    counts[p.type] = (counts[p.type] ?? 0) + 1;
    pos = p.end;
  }
  return out + text.slice(pos);
}
