/**
 * Reading a session for a report, one `<pid>.ndjson` at a time, streaming:
 *
 *   line ─► blob?     ─► by its head (scan.ts), not parsed: LazyBlobs (offset only) + MessageChains (list links
 *                        parsed: message keys and sizes; a message's key its blob's hash, or hashed from its bytes
 *                        when a one-block content needs writing as its string; a facts view)
 *        ─► request   ─► facts (system, tools, first/last user text) + thread (ThreadTrie)
 *        ─► response  ─► status, TTFB
 *        ─► end       ─► usage, TTFT, tool calls (a later thread whose first user text is a tool call's
 *                        input string was started by it: sub-agents)
 *
 * Memory: per exchange a small row; per unique message a 32-character key; content is read back from the
 * file only for a view that shows it (the HTML's detail). Nothing holds the session's content.
 * Time: what is parsed is the small lines (requests, responses, list links) and a few KB of each long message.
 */
import { isRecord } from '../../src/exchange/json.js';
import { type LineBytes, LogCheck, readLineBuffers } from '../../src/log/read.js';
import type { CollectResult } from './draft.js';
import { HANDLERS } from './events.js';
import { finite } from './missing.js';
import { blobHead } from './scan.js';
import { type EventIn, FileState } from './state.js';
import type { ReadSubscriber } from './subscriber.js';

export type { CollectResult, Draft, Interned } from './draft.js';

export interface CollectOptions {
  onWarning?: (message: string) => void;
  onBytes?: (bytesDone: number) => void;
  /** Render stages that keep captured content (the HTML's detail, exported prompts), handed each request and response. */
  subscribers?: readonly ReadSubscriber[];
}

export async function collect(files: string[], options: CollectOptions = {}): Promise<CollectResult> {
  const result: CollectResult = {
    drafts: [],
    processes: [],
    interned: { systems: new Map(), toolsets: new Map() },
    tapWarnings: 0,
    unknownEvents: {},
    rewrites: new Map(),
    labels: new Map(),
  };
  let before = 0;
  const check = new LogCheck(options.onWarning);
  for (const file of files) {
    let last = 0;
    await collectFile(file, result, check, {
      ...options,
      onBytes: (b) => {
        options.onBytes?.(before + b);
        last = b;
      },
    });
    before += last;
  }
  return result;
}

async function collectFile(file: string, out: CollectResult, check: LogCheck, options: CollectOptions): Promise<void> {
  const s = new FileState(file, out, check, options);
  for await (const l of readLineBuffers(file, options.onBytes)) {
    if (readBlobHead(s, l)) continue;
    const e = parseEvent(s, {
      line: l.line,
      offset: l.offset,
      bytes: l.end - l.start,
      text: l.buf.toString('utf8', l.start, l.end),
    });
    if (!e) continue;
    const name = e.ev.event as string;
    const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
    // Only the request handler is async (subscribers' backpressure): no extra tick per event otherwise.
    const pending = handler ? handler(s, e) : undefined;
    if (pending) await pending;
    else if (!handler) out.unknownEvents[name] = (out.unknownEvents[name] ?? 0) + 1;
  }
  check.end(file);
  if (s.missing.size)
    options.onWarning?.(
      `${file}: ${s.missing.size} blob(s) referenced but never written (a damaged or cut log, e.g. ${[...s.missing][0]}); their content is shown as "missing content"`,
    );
  for (const d of s.pending.values()) {
    d.outcome ??= 'unfinished';
    for (const sub of s.subscribers) sub.unfinished?.(d);
  }
  s.blobs.close();
}

/**
 * A blob line of the sink's shape, kept by position without parsing it (scan.ts): a list link is parsed (it is
 * small and the chains need it), a message gets its key from its bytes, anything else waits for a view.
 */
function readBlobHead(s: FileState, l: LineBytes): boolean {
  // A last line without its newline may be torn: parsed whole, to be told as such.
  const head = l.complete ? blobHead(l.buf, l.start, l.end) : undefined;
  if (!head) return false;
  s.check.line(s.file, { event: 'blob', v: head.v });
  const bytes = l.end - l.start;
  if (l.buf.compare(LINK, 0, LINK.length, head.start, head.start + LINK.length) === 0) {
    let content: unknown;
    try {
      content = JSON.parse(l.buf.toString('utf8', head.start, head.end));
    } catch {
      return false;
    }
    s.blobs.add(head.hash, l.offset, bytes, content);
    s.chains.addBlob(head.hash, content);
    return true;
  }
  s.blobs.addUnparsed(head.hash, l.offset, bytes, head.start - l.start);
  s.chains.addRawMessage(head.hash, l.buf, head.start, head.end);
  return true;
}

const LINK = Buffer.from('{"prefix":');

/** One line as an agenttap event, or undefined (blank; torn or foreign lines are warned about and skipped). */
function parseEvent(s: FileState, raw: EventIn['raw']): EventIn | undefined {
  if (raw.text.trim() === '') return undefined;
  let ev: Record<string, unknown>;
  try {
    ev = JSON.parse(raw.text) as Record<string, unknown>;
  } catch {
    s.check.line(s.file, undefined);
    s.check.warn(`${s.file}:${raw.line}: not a complete JSON line (torn write?); skipped`);
    return undefined;
  }
  s.check.line(s.file, ev);
  if (!isRecord(ev) || typeof ev.event !== 'string') {
    s.check.warn(`${s.file}:${raw.line}: not an agenttap event (no "event" field); skipped`);
    return undefined;
  }
  return { ev, raw, time: { time: finite(ev.time), mono: finite(ev.mono) } };
}
