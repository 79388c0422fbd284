/**
 * Reads a session back: a session directory (every `<pid>.ndjson`) or one file, streaming line by line.
 * Tolerant by design (a log must be readable after a crash): a torn or invalid line is skipped with a
 * warning naming file and line; unknown event types from a newer agenttap are passed on as they are.
 */
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AgentTapError } from '../errors.js';
import { isBlobRef, isListRef, type LogEvent } from './events.js';

export interface ReadLine {
  file: string;
  line: number;
  event: LogEvent | (Record<string, unknown> & { event: string });
}

export interface ReadOptions {
  onWarning?: (message: string) => void;
}

/** The `.ndjson` files of a session directory (sorted by name), or the file itself. */
export function sessionFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new AgentTapError('AGENTTAP_LOG_INVALID', `${path}: no such session directory or log file. Fix: pass a folder under .agenttap/sessions/ or a <pid>.ndjson file.`);
  }
  if (stat.isFile()) return [path];
  const files = readdirSync(path).filter((f) => f.endsWith('.ndjson')).sort().map((f) => join(path, f));
  if (files.length === 0) throw new AgentTapError('AGENTTAP_LOG_INVALID', `${path}: no <pid>.ndjson files in this directory. Fix: pass a session directory written by agenttap.`);
  return files;
}

export async function* readLogFile(file: string, options: ReadOptions = {}): AsyncGenerator<ReadLine> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      options.onWarning?.(`${file}:${n}: not a complete JSON line (torn write?); skipped`);
      continue;
    }
    if (typeof value !== 'object' || value === null || typeof (value as { event?: unknown }).event !== 'string') {
      options.onWarning?.(`${file}:${n}: not an agenttap event (no "event" field); skipped`);
      continue;
    }
    yield { file, line: n, event: value as ReadLine['event'] };
  }
}

/** Longest `$list` chain a reader follows: far beyond any real session, short of a corrupted loop. */
const MAX_LIST_LINKS = 1_000_000;

/**
 * A request body with its references replaced by their content. References only ever stand where the
 * writer puts them (src/log/blobs.ts): a top-level field (`$blob` or `$list`), or an element of a list.
 */
export function expandBody(body: unknown, blobs: ReadonlyMap<string, unknown>, where: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const blob = (hash: string) => {
    if (!blobs.has(hash)) throw new AgentTapError('AGENTTAP_LOG_INVALID', `${where}: blob ${hash} is referenced but never written; the log is damaged.`);
    return blobs.get(hash);
  };
  const item = (value: unknown) => (isBlobRef(value) ? blob(value.$blob) : value);
  const list = (hash: string) => {
    const segments: unknown[][] = [];
    for (let link: string | null = hash, n = 0; link !== null; n++) {
      const node = blob(link) as { prefix?: string | null; items?: unknown[] };
      if (n > MAX_LIST_LINKS || !Array.isArray(node?.items)) throw new AgentTapError('AGENTTAP_LOG_INVALID', `${where}: list ${hash} is malformed; the log is damaged.`);
      segments.push(node.items);
      link = node.prefix ?? null;
    }
    return segments.reverse().flat().map(item);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    out[key] = isListRef(value) ? list(value.$list) : Array.isArray(value) ? value.map(item) : item(value);
  }
  return out;
}

/** Every event of a session with blobs expanded and blob events left out: the plain records, for jq. */
export async function* readExpanded(path: string, options: ReadOptions = {}): AsyncGenerator<ReadLine> {
  for (const file of sessionFiles(path)) {
    const blobs = new Map<string, unknown>();
    for await (const line of readLogFile(file, options)) {
      const { event } = line;
      if (event.event === 'blob') {
        blobs.set((event as { hash: string }).hash, (event as { content: unknown }).content);
        continue;
      }
      if (event.event === 'exchange.request' && 'body' in event) {
        yield { ...line, event: { ...event, body: expandBody(event.body, blobs, `${file}:${line.line}`) } as ReadLine['event'] };
        continue;
      }
      yield line;
    }
  }
}
