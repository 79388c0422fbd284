/**
 * Reads a session back: a session directory (every `<pid>.ndjson`) or one file, streaming line by line.
 * Tolerant by design (a log must be readable after a crash): a torn or invalid line is skipped with a
 * warning naming file and line; unknown event types from a newer agenttap are passed on as they are.
 */
import { closeSync, createReadStream, openSync, readSync, readdirSync, statSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { AgentTapError } from '../errors.js';
import { VERSION } from '../version.js';
import type { LogEvent } from './events.js';
import { isBlobRef, isListRef, resolveBlobRef } from './refs.js';
import { LOG_VERSION } from './log-version.js';

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
  let stat: Stats;
  try {
    stat = statSync(path);
  } catch {
    throw new AgentTapError(
      'AGENTTAP_LOG_INVALID',
      `${path}: no such session directory or log file. Fix: pass a folder under .agenttap/sessions/ or a <pid>.ndjson file.`,
    );
  }
  if (stat.isFile()) return [path];
  // Only regular files: a folder that happens to be called `1.ndjson` is not a log.
  const files = readdirSync(path, { withFileTypes: true })
    .filter((f) => f.isFile() && f.name.endsWith('.ndjson'))
    .map((f) => f.name)
    .sort()
    .map((f) => join(path, f));
  if (files.length === 0)
    throw new AgentTapError(
      'AGENTTAP_LOG_INVALID',
      `${path}: no <pid>.ndjson files in this directory. Fix: pass a session directory written by agenttap.`,
    );
  return files;
}

/** Lines looked at before a file that holds no agenttap event is called "not an agenttap log". */
const SNIFF_LINES = 5;

/**
 * What a reader checks of the file as a whole, line by line: that it is an agenttap log at all (one of its
 * first lines is an event — else one error naming the file, instead of a warning per line), and that its
 * format version is one this agenttap reads (a newer one: one warning per session, not per line).
 * Line warnings go through `warn`: held while the first lines are looked at, dropped if the file is foreign.
 */
export class LogCheck {
  private readonly seenNewer = new Set<number>();
  private file = '';
  private looked = 0;
  private events = 0;
  private parsed = 0;
  private decided = false;
  private held: string[] = [];

  constructor(private readonly onWarning?: (message: string) => void) {}

  /** Called for each non-blank line with its parsed value (`undefined`: not JSON). Throws for a foreign file. */
  line(file: string, value: unknown): void {
    if (file !== this.file) this.start(file);
    const event = isEvent(value);
    if (!this.decided) {
      this.looked++;
      if (value !== undefined) this.parsed++;
      if (event) this.events++;
      if (this.events > 0 || this.looked >= SNIFF_LINES) this.decide();
    }
    if (!event) return;
    const v = (value as { v?: unknown }).v;
    if (typeof v === 'number' && v > LOG_VERSION && !this.seenNewer.has(v)) {
      this.seenNewer.add(v);
      this.onWarning?.(
        `${file}: written in log format v${v} by a newer agenttap; this agenttap (${VERSION}) reads v${LOG_VERSION}, so parts of it may be missing or misread. Fix: update agenttap to read this log.`,
      );
    }
  }

  warn(message: string): void {
    if (this.decided) this.onWarning?.(message);
    else this.held.push(message);
  }

  /** At the end of a file: a short file whose JSON lines are all foreign is foreign too (a torn-only file is not). */
  end(file: string): void {
    if (file !== this.file || this.decided) return;
    if (this.parsed > 0) this.decide();
    else this.flush();
  }

  private start(file: string): void {
    this.file = file;
    this.looked = this.events = this.parsed = 0;
    this.decided = false;
    this.held = [];
  }

  private decide(): void {
    this.decided = true;
    if (this.events === 0) {
      throw new AgentTapError(
        'AGENTTAP_LOG_INVALID',
        `${this.file}: not an agenttap log (none of its first ${this.looked} line(s) is an agenttap event). Fix: pass a session folder under .agenttap/sessions/ or a <pid>.ndjson file written by agenttap.`,
      );
    }
    this.flush();
  }

  private flush(): void {
    for (const m of this.held) this.onWarning?.(m);
    this.held = [];
  }
}

const isEvent = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && typeof (value as { event?: unknown }).event === 'string';

export async function* readLogFile(
  file: string,
  options: ReadOptions & { check?: LogCheck } = {},
): AsyncGenerator<ReadLine> {
  const check = options.check ?? new LogCheck(options.onWarning);
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const text of lines) {
    n++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      check.line(file, undefined);
      check.warn(`${file}:${n}: not a complete JSON line (torn write?); skipped`);
      continue;
    }
    check.line(file, value);
    if (!isEvent(value)) {
      check.warn(`${file}:${n}: not an agenttap event (no "event" field); skipped`);
      continue;
    }
    yield { file, line: n, event: value as ReadLine['event'] };
  }
  check.end(file);
}

/** What `expandBody` needs of a blob store: a `Map` or a `LazyBlobs`. */
export type BlobLookup = Pick<ReadonlyMap<string, unknown>, 'has' | 'get'>;

/** Longest `$list` chain a reader follows: far beyond any real session, short of a corrupted loop. */
const MAX_LIST_LINKS = 1_000_000;

/**
 * A request body with its references replaced by their content. References only ever stand where the
 * writer puts them (src/log/blobs.ts): a top-level field (`$blob` or `$list`), or an element of a list.
 */
export function expandBody(body: unknown, blobs: BlobLookup, where: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const blob = (hash: string) => {
    if (!blobs.has(hash))
      throw new AgentTapError(
        'AGENTTAP_LOG_INVALID',
        `${where}: blob ${hash} is referenced but never written; the log is damaged.`,
      );
    return blobs.get(hash);
  };
  const item = (value: unknown) => (isBlobRef(value) ? resolveBlobRef(value, blob(value.$blob)) : value);
  const list = (hash: string) => {
    const chain: { keep?: number; items: unknown[] }[] = [];
    for (let link: string | null = hash, n = 0; link !== null; n++) {
      const node = blob(link) as { prefix?: string | null; keep?: number; items?: unknown[] };
      if (n > MAX_LIST_LINKS || !Array.isArray(node?.items))
        throw new AgentTapError('AGENTTAP_LOG_INVALID', `${where}: list ${hash} is malformed; the log is damaged.`);
      chain.push({ keep: node.keep, items: node.items });
      link = node.prefix ?? null;
    }
    let out: unknown[] = [];
    for (const node of chain.reverse())
      out = [...(node.keep === undefined ? out : out.slice(0, node.keep)), ...node.items];
    return out.map(item);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    out[key] = isListRef(value) ? list(value.$list) : Array.isArray(value) ? value.map(item) : item(value);
  }
  return out;
}

/** Every event of a session with blobs expanded and blob events left out: the plain records, for jq. */
export async function* readExpanded(path: string, options: ReadOptions = {}): AsyncGenerator<ReadLine> {
  const check = new LogCheck(options.onWarning);
  for (const file of sessionFiles(path)) {
    const blobs = new Map<string, unknown>();
    for await (const line of readLogFile(file, { ...options, check })) {
      const { event } = line;
      if (event.event === 'blob') {
        blobs.set((event as { hash: string }).hash, (event as { content: unknown }).content);
        continue;
      }
      if (event.event === 'exchange.request' && 'body' in event) {
        yield {
          ...line,
          event: { ...event, body: expandBody(event.body, blobs, `${file}:${line.line}`) } as ReadLine['event'],
        };
        continue;
      }
      yield line;
    }
  }
}

/** One line of a log file with where it is: byte offset and length (for reading it again later). */
export interface OffsetLine {
  line: number;
  offset: number;
  bytes: number;
  text: string;
}

/** One line as bytes: `buf[start, end)`, valid until the next line is asked for (the chunk is reused). */
export interface LineBytes {
  line: number;
  offset: number;
  buf: Buffer;
  start: number;
  end: number;
  /** False for a last line without its newline: the write may have been cut (torn). */
  complete: boolean;
}

/**
 * The lines of a file with their byte offsets, as bytes, read in 4 MiB chunks: a line is decoded (or not) by
 * its reader, so a line nobody needs as text costs no string. A line cut by the chunk's end is moved to its start
 * and the chunk filled after it (grown, doubled, for a line longer than the chunk): no copy per line. Memory holds
 * one chunk, at least the longest line (a line is one event: at most one exchange's new content).
 */
export async function* readLineBuffers(file: string, onBytes?: (bytes: number) => void): AsyncGenerator<LineBytes> {
  const handle = await open(file, 'r');
  try {
    let chunk = Buffer.allocUnsafe(4 << 20);
    /** Bytes at the chunk's start of a line not yet ended. */
    let kept = 0;
    let position = 0;
    let n = 0;
    for (;;) {
      if (kept === chunk.length) {
        const bigger = Buffer.allocUnsafe(2 * chunk.length);
        chunk.copy(bigger, 0, 0, kept);
        chunk = bigger;
      }
      const { bytesRead } = await handle.read(chunk, kept, chunk.length - kept, position);
      if (bytesRead === 0) break;
      /** The file offset of chunk[0]. */
      const base = position - kept;
      position += bytesRead;
      // Searched within what was read: past it, the (reused, uninitialised) chunk would be searched to its end.
      const data = chunk.subarray(0, kept + bytesRead);
      let from = 0;
      for (let nl = data.indexOf(10, kept); nl !== -1; nl = data.indexOf(10, from)) {
        yield { line: ++n, offset: base + from, buf: chunk, start: from, end: nl, complete: true };
        from = nl + 1;
      }
      kept = data.length - from;
      if (kept > 0 && from > 0) chunk.copyWithin(0, from, data.length);
      onBytes?.(position);
    }
    if (kept > 0) yield { line: n + 1, offset: position - kept, buf: chunk, start: 0, end: kept, complete: false };
  } finally {
    await handle.close();
  }
}

/** The lines of a file as text, with their byte offsets (see readLineBuffers). */
export async function* readLinesWithOffsets(
  file: string,
  onBytes?: (bytes: number) => void,
): AsyncGenerator<OffsetLine> {
  for await (const l of readLineBuffers(file, onBytes))
    yield { line: l.line, offset: l.offset, bytes: l.end - l.start, text: l.buf.toString('utf8', l.start, l.end) };
}

/**
 * Blobs of one log file, remembered by position and read back on demand, with a small cache by size:
 * a reader's memory then follows the exchange it is looking at, not the session.
 */
export class LazyBlobs implements BlobLookup {
  /** Where each blob's line is; `head`: for a line read by its head only, its content starts `head` bytes in. */
  private readonly where = new Map<string, { offset: number; bytes: number; head?: number }>();
  private readonly cache = new Map<string, { value: unknown; bytes: number }>();
  private cachedBytes = 0;
  private fd: number | undefined;
  private scratch = Buffer.alloc(0);

  constructor(
    readonly file: string,
    // Small: a parsed 200 KB message takes more heap than its bytes, and V8 lets garbage grow with what stays live
    // (a report of a 1 GiB log peaked at 320 MiB RSS with 32 MiB here, 227 MiB with 8).
    private readonly cacheBytes = 8 << 20,
  ) {}

  add(hash: string, offset: number, bytes: number, content?: unknown): void {
    if (!this.where.has(hash)) this.where.set(hash, { offset, bytes });
    if (content !== undefined) this.remember(hash, content, bytes);
  }

  /** A blob known by position only: its content is the line's `[head, bytes - 1)` (then `}`), parsed when asked for. */
  addUnparsed(hash: string, offset: number, bytes: number, head: number): void {
    if (!this.where.has(hash)) this.where.set(hash, { offset, bytes, head });
  }

  /** The content's bytes of a blob added unparsed (undefined for others). */
  raw(hash: string): Buffer | undefined {
    const at = this.where.get(hash);
    return at?.head !== undefined ? this.read(at.offset + at.head, at.bytes - 1 - at.head) : undefined;
  }

  has(hash: string): boolean {
    return this.where.has(hash);
  }

  /** Size of the blob's line in the log, bytes. */
  size(hash: string): number | undefined {
    return this.where.get(hash)?.bytes;
  }

  get(hash: string): unknown {
    const hit = this.cache.get(hash);
    if (hit) {
      this.cache.delete(hash);
      this.cache.set(hash, hit);
      return hit.value;
    }
    const at = this.where.get(hash);
    if (!at) return undefined;
    let value: unknown;
    try {
      value =
        at.head !== undefined
          ? JSON.parse(this.text(at.offset + at.head, at.bytes - 1 - at.head))
          : (JSON.parse(this.text(at.offset, at.bytes)) as { content: unknown }).content;
    } catch {
      // Only a line read by its head can fail here (it looked whole): from now on it is a missing blob.
      this.where.delete(hash);
      return undefined;
    }
    this.remember(hash, value, at.bytes);
    return value;
  }

  private read(offset: number, bytes: number, into = Buffer.allocUnsafe(bytes)): Buffer {
    this.fd ??= openSync(this.file, 'r');
    readSync(this.fd, into, 0, bytes, offset);
    return into.subarray(0, bytes);
  }

  /** Bytes read as text through one reused buffer (the largest blob's size): no fresh memory per blob read. */
  private text(offset: number, bytes: number): string {
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, 2 * this.scratch.length));
    return this.read(offset, bytes, this.scratch).toString('utf8');
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.cache.clear();
    this.cachedBytes = 0;
    this.scratch = Buffer.alloc(0);
  }

  private remember(hash: string, value: unknown, bytes: number): void {
    if (bytes > this.cacheBytes / 4 || this.cache.has(hash)) return;
    this.cache.set(hash, { value, bytes });
    this.cachedBytes += bytes;
    while (this.cachedBytes > this.cacheBytes) {
      const [oldest, entry] = this.cache.entries().next().value!;
      this.cache.delete(oldest);
      this.cachedBytes -= entry.bytes;
    }
  }
}
