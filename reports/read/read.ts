/**
 * Reading a session for a report, one `<pid>.ndjson` at a time, streaming:
 *
 *   line ─► blob?     ─► LazyBlobs (offset only) + MessageChains (list links: message keys and sizes)
 *        ─► request   ─► facts (system, tools, first/last user text) + thread (ThreadTrie)
 *        ─► response  ─► status, TTFB
 *        ─► end       ─► usage, TTFT, tool calls (a later thread whose first user text is a tool call's
 *                        input string was started by it: sub-agents)
 *
 * Memory: per exchange a small row; per unique message a 16-character key; content is read back from the
 * file only for the messages a request added. Nothing holds the session's content.
 */
import { isBlobRef, isListRef, resolveBlobRef } from '../../src/log/events.js';
import { LazyBlobs, LogCheck, readLinesWithOffsets } from '../../src/log/read.js';
import {
  inputStrings,
  isToolResults,
  remindersOf,
  responseToolCalls,
  roleOf,
  systemBlocks,
  textHash,
  toolName,
  userText,
} from '../../src/exchange/body.js';
import { messageKey } from '../../src/exchange/cache-markers.js';
import { contentHash } from '../../src/exchange/hash.js';
import { isRecord as isObj } from '../../src/exchange/json.js';
import { MessageChains } from './chain.js';
import { shapeFacts } from '../../src/mechanisms/request-facts.js';
import type { ExchangeRewrite } from '../model/types.js';
import { requestDraft, type CollectResult, type Draft } from './draft.js';
import { finite, missingMessage, missingText } from './missing.js';
import { readRewrite } from '../model/rewrites.js';
import { ThreadTrie } from '../model/placement.js';
import type { ReadSubscriber, RequestRead } from './subscriber.js';

export type { CollectResult, Draft, Interned } from './draft.js';

export interface CollectOptions {
  onWarning?: (message: string) => void;
  onBytes?: (bytesDone: number) => void;
  /** Render stages that keep captured content (the HTML's detail, exported prompts), handed each request and response. */
  subscribers?: readonly ReadSubscriber[];
}

/**
 * A short copy that does not keep its source alive: V8's `slice` of a long string may point into the original,
 * and rows live as long as the report — a 2 000-character prefix must not hold a 200 KB message.
 */
const own = (text: string, max: number) =>
  text.length <= max ? text : Buffer.from(text.slice(0, max), 'utf8').toString('utf8');

const KNOWN = new Set([
  'session.start',
  'exchange.request',
  'exchange.response',
  'exchange.end',
  'blob',
  'tap.warning',
  'session.end',
  'rewrite.applied',
  'exchange.label',
]);
const TEXT_FOR_FACTS = 2000;

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
  const subscribers = options.subscribers ?? [];
  const blobs = new LazyBlobs(file);
  // Blobs referenced but never written (a damaged log): shown as "missing content", counted, told once.
  const missing = new Set<string>();
  const missingBlob = (hash: string) => (missing.add(hash), missingMessage(hash));
  const chains = new MessageChains(blobs, missingBlob);
  const trie = new ThreadTrie<Draft>();
  const spawn = new Map<string, { draft: Draft; toolUseId: string; tool: string }>();
  /** The latest request holding each message (by key): where a trimmed request's conversation went on. */
  const lastHolding = new Map<string, Draft>();
  const pending = new Map<string, Draft>();
  const broken = new Set<number>();
  let clock: { time: number; mono: number } | undefined;
  let threads = 0;

  // Wall time from the monotonic clock when the event has both; else its own time; else the last one seen.
  let lastTime = 0;
  const wall = (ev: { time?: number; mono?: number }) => {
    const t = clock && ev.mono !== undefined ? clock.time + (ev.mono - clock.mono) : (ev.time ?? lastTime);
    lastTime = t;
    return t;
  };

  const resolve = (v: unknown): { value: unknown; hash?: string } => {
    if (!isBlobRef(v)) return { value: v };
    if (!blobs.has(v.$blob)) {
      missing.add(v.$blob);
      return { value: missingText(v.$blob), hash: v.$blob };
    }
    return { value: resolveBlobRef(v, blobs.get(v.$blob)), hash: v.$blob };
  };

  for await (const raw of readLinesWithOffsets(file, options.onBytes)) {
    if (raw.text.trim() === '') continue;
    let ev: Record<string, unknown>;
    try {
      ev = JSON.parse(raw.text) as Record<string, unknown>;
    } catch {
      check.line(file, undefined);
      check.warn(`${file}:${raw.line}: not a complete JSON line (torn write?); skipped`);
      continue;
    }
    check.line(file, ev);
    if (!isObj(ev) || typeof ev.event !== 'string') {
      check.warn(`${file}:${raw.line}: not an agenttap event (no "event" field); skipped`);
      continue;
    }
    const name = ev.event;
    if (!KNOWN.has(name)) {
      out.unknownEvents[name] = (out.unknownEvents[name] ?? 0) + 1;
      continue;
    }
    const time = { time: finite(ev.time), mono: finite(ev.mono) };
    switch (name) {
      case 'blob': {
        const hash = String(ev.hash);
        const content = ev.content;
        blobs.add(hash, raw.offset, raw.bytes, content);
        chains.addBlob(hash, content);
        break;
      }
      case 'session.start':
        if (time.time !== undefined && time.mono !== undefined) clock ??= { time: time.time, mono: time.mono };
        out.sessionId ??= String(ev.session);
        out.processes.push({
          pid: Number(ev.pid),
          argv: (ev.argv as string[]) ?? [],
          cwd: ev.cwd as string,
          node: ev.node as string,
          agenttap: ev.agenttap as string,
          time: wall(time),
        });
        break;
      case 'tap.warning':
        out.tapWarnings++;
        break;
      case 'rewrite.applied': {
        // Joined to its exchange in build.ts: the tap writes it just before the request, a reader must not care.
        const r = readRewrite(ev);
        const key = typeof r === 'string' ? '' : `${ev.pid}/${r.exchange}`;
        if (typeof r === 'string') options.onWarning?.(`${file}:${raw.line}: rewrite.applied ${r}; skipped`);
        else if (out.rewrites.has(key))
          options.onWarning?.(`${file}:${raw.line}: a second rewrite.applied for exchange ${r.exchange}; skipped`);
        else out.rewrites.set(key, r.rewrite);
        break;
      }
      case 'exchange.label':
        if (typeof ev.exchange === 'string' && typeof ev.label === 'string')
          out.labels.set(ev.exchange, { source: String(ev.source ?? ''), label: ev.label });
        else check.warn(`${file}:${raw.line}: exchange.label without an exchange or a label; skipped`);
        break;
      case 'exchange.request': {
        if (time.time !== undefined && time.mono !== undefined) clock ??= { time: time.time, mono: time.mono };
        const d = requestDraft(ev, wall(time));
        pending.set(String(ev.exchange), d);
        out.drafts.push(d);
        const body = isObj(ev.body) ? ev.body : undefined;
        const read: RequestRead = {
          draft: d,
          headers: (ev.headers as Record<string, string>) ?? {},
          body,
          added: [],
          reminders: [],
          interned: out.interned,
        };
        if (body) {
          d.facts.hasBody = true;
          // Messages: keys for the thread trie, sizes, the first and last messages for the facts.
          const ml = body.messages ?? body.input;
          let keys: string[] = [];
          let head: string | undefined;
          let plain: unknown[] | undefined;
          if (isListRef(ml) && chains.has(ml.$list)) {
            head = ml.$list;
            keys = chains.keys(head);
            d.context.messages = chains.bytes(head);
          } else if (isListRef(ml)) {
            plain = [missingBlob(ml.$list)];
            keys = plain.map((m) => messageKey(m));
          } else if (Array.isArray(ml)) {
            plain = ml.map((it) => resolve(it).value);
            keys = plain.map((m) => messageKey(m));
            d.context.messages = plain.reduce<number>((n, m) => n + JSON.stringify(m).length, 0);
          } else if (typeof ml === 'string') {
            plain = [{ role: 'user', content: ml }];
            keys = [messageKey(plain[0])];
            d.context.messages = ml.length;
          }
          d.context.count = keys.length;
          const items = (from: number): unknown[] => (plain ? plain.slice(from) : head ? chains.items(head, from) : []);
          const firstFew = plain ? plain.slice(0, 8) : head ? chains.first(head, 8) : [];

          // Thread: the latest earlier request whose messages are all a prefix of these.
          const placed = trie.place(keys, d);
          const { node } = placed;
          let { parent, parentLen } = placed;
          // A request the rules trimmed (`rewrite.applied` sent with fewer messages; the log holds the trimmed
          // body) shares no prefix with its conversation: trimContext cuts the oldest exchanges and edits the
          // first message. It continues the latest earlier request holding one of its first kept messages.
          if (!parent && trimmedByRules(out.rewrites.get(d.key))) {
            parentLen = 0;
            for (const k of keys.slice(0, 4)) if ((parent = lastHolding.get(k))) break;
          }
          for (const k of keys) lastHolding.set(k, d);
          if (keys.length) d.node = node;
          const sys = body.system ?? body.instructions;
          // The first user words: Claude Code opens some conversations with reminder-only messages.
          const firstUser =
            firstFew.find((m) => roleOf(m) === 'user' && userText(m) !== '') ??
            firstFew.find((m) => roleOf(m) === 'user');
          const firstText = userText(firstUser);
          if (keys.length) {
            if (parent) {
              d.thread = parent.thread;
              d.parentKey = parent.key;
              d.parentMessages = parentLen;
              d.facts.threadPosition = 'continues';
            } else {
              d.thread = `${d.pid}:${++threads}`;
              const from = firstText ? spawn.get(textHash(firstText)) : undefined;
              if (from) {
                d.spawnedBy = { key: from.draft.key, toolUseId: from.toolUseId, tool: from.tool };
                d.facts.spawnedBy = from.tool;
              }
            }
          }
          const added = items(parentLen);
          const lastMessage = added.length ? added[added.length - 1] : undefined;
          const lastUser = [...added].reverse().find((m) => roleOf(m) === 'user');
          d.facts.firstUserText = own(firstText, TEXT_FOR_FACTS);
          d.facts.lastUserText = own(userText(lastUser ?? (keys.length === 1 ? firstUser : undefined)), TEXT_FOR_FACTS);
          d.facts.toolResults = isToolResults(lastMessage);
          d.facts.messageCount = keys.length;
          d.facts.afterBrokenStream = !d.stream && broken.has(node);

          // System prompt and tools, interned by hash.
          if (sys !== undefined || firstFew.some((m) => roleOf(m) === 'system' || roleOf(m) === 'developer')) {
            const r = resolve(sys);
            const texts = systemBlocks(
              body.system !== undefined || body.instructions !== undefined ? { system: r.value } : {},
              firstFew,
            );
            const hash = r.hash ?? contentHash(JSON.stringify(texts));
            let s = out.interned.systems.get(hash);
            read.system = { hash, first: !s };
            if (!s) {
              const blocks = texts.map((t) => ({
                bytes: Buffer.byteLength(t),
                preview: own(t, 200),
                hash: contentHash(t),
              }));
              s = { texts, bytes: JSON.stringify(r.value ?? texts).length, blocks };
              out.interned.systems.set(hash, s);
            }
            d.systemHash = hash;
            d.facts.system = s.texts;
            d.context.system = s.bytes;
          }
          if (Array.isArray(body.tools) || isBlobRef(body.tools)) {
            const r = resolve(body.tools);
            // A missing blob's marker stands as one "tool" named after it.
            const list = Array.isArray(r.value) ? r.value : typeof r.value === 'string' ? [{ name: r.value }] : [];
            const hash = r.hash ?? contentHash(JSON.stringify(list));
            let t = out.interned.toolsets.get(hash);
            read.tools = { hash, list, first: !t };
            if (!t) {
              t = {
                names: list.map(toolName),
                bytes: JSON.stringify(list).length,
                sizes: list.map((x) => JSON.stringify(x).length),
              };
              out.interned.toolsets.set(hash, t);
            }
            d.toolsHash = hash;
            d.facts.tools = t.names;
            d.context.tools = t.bytes;
          }
          if (parent) read.parent = parent;
          Object.assign(d.facts, shapeFacts(body));

          // Reminders the new messages carry.
          for (const m of added) {
            for (const text of remindersOf(m)) {
              const hash = contentHash(text);
              d.reminders.push({ text: own(text, 240), bytes: Buffer.byteLength(text), hash });
              read.reminders.push({ text, hash });
            }
          }
          read.added = added;
        }
        for (const sub of subscribers) sub.request?.(read);
        for (const sub of subscribers) await sub.drained?.();
        break;
      }
      case 'exchange.response': {
        const d = pending.get(String(ev.exchange));
        if (!d) break;
        d.status = finite(ev['http.response.status_code']);
        d.ttfb = finite(ev.ttfb_ms);
        break;
      }
      case 'exchange.end': {
        const d = pending.get(String(ev.exchange));
        if (!d) break;
        pending.delete(String(ev.exchange));
        d.outcome = String(ev.outcome);
        d.duration = finite(ev.duration_ms);
        if (typeof ev.ttft_ms === 'number') d.ttft = ev.ttft_ms;
        const u = isObj(ev.usage) ? ev.usage : {};
        const n = (v: unknown) => (typeof v === 'number' ? v : 0);
        const cacheRead = n(u.cache_read_input_tokens);
        const input = n(u.input_tokens);
        d.usage = {
          // OpenAI counts cached tokens inside prompt tokens; Anthropic apart.
          input: d.provider === 'openai' ? Math.max(0, input - cacheRead) : input,
          output: n(u.output_tokens),
          cacheRead,
          cacheWrite: n(u.cache_creation_input_tokens),
        };
        const reasons = ev['gen_ai.response.finish_reasons'];
        if (Array.isArray(reasons) && typeof reasons[0] === 'string') d.stop = reasons[0];
        if (typeof ev['gen_ai.response.model'] === 'string') d.responseModel = ev['gen_ai.response.model'];
        const err = (isObj(ev.api_error) ? ev.api_error : isObj(ev.error) ? ev.error : undefined) as
          | { type?: string; message?: string }
          | undefined;
        if (err) d.error = own(`${err.type ?? 'error'}: ${String(err.message ?? '')}`, 300);
        const calls = responseToolCalls(ev.body);
        d.facts.responseTools = calls.map((c) => c.name);
        for (const c of calls)
          for (const s of inputStrings(c.input))
            if (s.trim().length >= 8) spawn.set(textHash(s), { draft: d, toolUseId: c.id, tool: c.name });
        if (d.stream && d.outcome !== 'complete' && d.node !== undefined) broken.add(d.node);
        for (const sub of subscribers) sub.end?.(d, ev.body);
        break;
      }
      default:
        break;
    }
  }
  check.end(file);
  if (missing.size)
    options.onWarning?.(
      `${file}: ${missing.size} blob(s) referenced but never written (a damaged or cut log, e.g. ${[...missing][0]}); their content is shown as "missing content"`,
    );
  for (const d of pending.values()) {
    d.outcome ??= 'unfinished';
    for (const sub of subscribers) sub.unfinished?.(d);
  }
  blobs.close();
}

/** A rewrite that went out with fewer messages than the agent sent (trimContext). */
function trimmedByRules(rewrite: ExchangeRewrite | undefined): boolean {
  const m = rewrite?.state === 'sent' ? rewrite.change.messages : undefined;
  return Array.isArray(m) && Number(m[0]) > Number(m[1]);
}
