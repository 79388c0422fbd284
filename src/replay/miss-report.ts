/**
 * What a miss says: which live request found no recorded answer, the nearest recorded request, and how the two
 * differ after normalisation — each differing field by its path with a word diff (`[-old-]{+new+}`), then a
 * unified diff of the two bodies as pretty JSON. One short block for stderr; the whole text for the file.
 */
import { createTwoFilesPatch, diffWordsWithSpace } from 'diff';
import { isRecord } from '../exchange/json.js';
import type { Miss } from './match.js';

export interface MissText {
  /** The first lines: request, nearest, the first differing fields. */
  short: string;
  /** Everything, unified diff included. */
  full: string;
  /** Each differing field as `path: word diff`. */
  fields: string[];
}

const MAX_FIELDS = 20;
const WORD_CONTEXT = 40;

export function describeMiss(miss: Miss, n: number, what: string): MissText {
  const live = miss.live;
  const head = `miss: request ${n} (${what}, ${live.endpoint}, ${live.mechanism}) matches no recorded request`;
  if (!miss.nearest) {
    const text = `${head}; nothing recorded on ${live.endpoint}`;
    return { short: text, full: `${text}\n`, fields: [] };
  }
  const { recorded, shape } = miss.nearest;
  const near = `  nearest: recorded request ${recorded.n} (exchange ${recorded.id}, ${shape.mechanism})`;
  const fields: string[] = [];
  diffValues(shape.body, live.body, '', fields);
  const listed = fields.slice(0, MAX_FIELDS).map((f) => `    ${f}`);
  if (fields.length > MAX_FIELDS) listed.push(`    … ${fields.length - MAX_FIELDS} more`);
  const patch = createTwoFilesPatch(
    `recorded request ${recorded.n}`,
    `live request ${n}`,
    pretty(shape.body),
    pretty(live.body),
    undefined,
    undefined,
    { context: 3 },
  );
  const short = [head, near, '  differs (recorded → live, after normalisation):', ...listed.slice(0, 6)].join('\n');
  const full = [head, near, '  differs (recorded → live, after normalisation):', ...listed, '', patch].join('\n');
  return { short, full, fields };
}

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2) ?? 'undefined'}\n`;
}

/** Collects `path: change` for each leaf where `a` and `b` differ. */
function diffValues(a: unknown, b: unknown, path: string, out: string[]): void {
  if (out.length > MAX_FIELDS * 5) return;
  if (JSON.stringify(a) === JSON.stringify(b)) return;
  if (typeof a === 'string' && typeof b === 'string') {
    out.push(`${path || '(body)'}: ${wordDiff(a, b)}`);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.max(a.length, b.length);
    for (let i = 0; i < n; i++) diffValues(a[i], b[i], `${path}[${i}]`, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)]))
      diffValues(a[key], b[key], path ? `${path}.${key}` : key, out);
    return;
  }
  out.push(`${path || '(body)'}: ${short(JSON.stringify(a))} → ${short(JSON.stringify(b))}`);
}

/** The changed words with a little context around each change. */
function wordDiff(a: string, b: string): string {
  const parts = diffWordsWithSpace(a, b);
  let out = '';
  parts.forEach((p, i) => {
    if (p.added) out += `{+${p.value}+}`;
    else if (p.removed) out += `[-${p.value}-]`;
    else {
      const before = i > 0 ? p.value.slice(0, WORD_CONTEXT) : '';
      const after = i < parts.length - 1 ? p.value.slice(-WORD_CONTEXT) : '';
      out += p.value.length <= 2 * WORD_CONTEXT ? p.value : `${before}…${after}`;
    }
  });
  return out.replace(/\s+/g, ' ');
}

function short(text: string | undefined): string {
  if (text === undefined) return '(absent)';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
