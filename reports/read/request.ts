/**
 * The `exchange.request` handler: the draft row, its messages (keys and sizes), its thread, its facts, the interned
 * system prompt and tools, the reminders it added; then the subscribers (detail, exported prompts) get the read.
 */
import {
  isToolResults,
  remindersOf,
  roleOf,
  systemBlocks,
  textHash,
  toolName,
  userText,
} from '../../src/exchange/body.js';
import { messageKey } from '../../src/exchange/cache-markers.js';
import { contentHash } from '../../src/exchange/hash.js';
import { isRecord } from '../../src/exchange/json.js';
import { isBlobRef, isListRef } from '../../src/log/refs.js';
import { shapeFacts } from '../../src/mechanisms/request-facts.js';
import type { ExchangeRewrite } from '../model/types.js';
import { isCutView, pageMessage } from './chain.js';
import { type Draft, requestDraft } from './draft.js';
import { own, TEXT_FOR_FACTS } from './own.js';
import type { EventIn, FileState } from './state.js';
import type { PageMessage, RequestRead } from './subscriber.js';

type Body = Record<string, unknown>;

/** A request's messages: keys for the thread trie, and a way to read them (a logged chain or a plain list). */
interface Messages {
  /** Valid during the request's read only (chain.ts `keys`). */
  keys: readonly string[];
  items: (from: number) => unknown[];
  /** As `items`, long strings of long messages cut: for the facts (chain.ts views). */
  views: (from: number) => unknown[];
  /** The first few, as views. */
  firstFew: unknown[];
  /** Message `i` whole. */
  at: (i: number) => unknown;
  /** Messages `[from, count)` as a page keeps them (see RequestRead.addedForPage). */
  forPage: (from: number) => PageMessage[];
}

export async function onRequest(s: FileState, { ev, time }: EventIn): Promise<void> {
  s.anchor(time);
  const d = requestDraft(ev, s.wall(time));
  s.pending.set(String(ev.exchange), d);
  s.out.drafts.push(d);
  const body = isRecord(ev.body) ? ev.body : undefined;
  const read: RequestRead = {
    draft: d,
    headers: (ev.headers as Record<string, string>) ?? {},
    body,
    added: [],
    addedForPage: () => [],
    reminders: [],
    interned: s.out.interned,
  };
  if (body) readBody(s, d, body, read);
  for (const sub of s.subscribers) sub.request?.(read);
  for (const sub of s.subscribers) await sub.drained?.();
}

function readBody(s: FileState, d: Draft, body: Body, read: RequestRead): void {
  d.facts.hasBody = true;
  const msgs = readMessages(s, d, body.messages ?? body.input);
  const { keys, firstFew } = msgs;
  const { node, parent, parentLen } = placeThread(s, d, keys);
  // The first user words: Claude Code opens some conversations with reminder-only messages.
  let firstUser =
    firstFew.find((m) => roleOf(m) === 'user' && userText(m) !== '') ?? firstFew.find((m) => roleOf(m) === 'user');
  // Whole, not cut: a sub-agent is found by its first user text (a tool call's input), every character of it.
  if (isCutView(firstUser)) firstUser = msgs.at(firstFew.indexOf(firstUser));
  const firstText = userText(firstUser);
  if (keys.length) startOrContinue(s, d, parent, parentLen, firstText);
  const added = msgs.views(parentLen);
  const lastMessage = added.length ? added[added.length - 1] : undefined;
  const lastUser = [...added].reverse().find((m) => roleOf(m) === 'user');
  d.facts.firstUserText = own(firstText, TEXT_FOR_FACTS);
  d.facts.lastUserText = own(userText(lastUser ?? (keys.length === 1 ? firstUser : undefined)), TEXT_FOR_FACTS);
  d.facts.toolResults = isToolResults(lastMessage);
  d.facts.messageCount = keys.length;
  d.facts.afterBrokenStream = !d.stream && s.broken.has(node);

  internSystem(s, d, body, firstFew, read);
  internTools(s, d, body, read);
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
  // The messages whole only when a stage reads them (the HTML's detail): parsed on first access.
  let whole: unknown[] | undefined;
  Object.defineProperty(read, 'added', { get: () => (whole ??= msgs.items(parentLen)), enumerable: true });
  read.addedForPage = () => msgs.forPage(parentLen);
}

/** Messages: keys for the thread trie, sizes, the first and last messages for the facts. */
function readMessages(s: FileState, d: Draft, ml: unknown): Messages {
  const { chains } = s;
  let keys: readonly string[] = [];
  let head: string | undefined;
  let plain: unknown[] | undefined;
  if (isListRef(ml) && chains.has(ml.$list)) {
    head = ml.$list;
    keys = chains.keys(head);
    d.context.messages = chains.bytes(head);
  } else if (isListRef(ml)) {
    plain = [s.missingBlob(ml.$list)];
    keys = plain.map((m) => messageKey(m));
  } else if (Array.isArray(ml)) {
    plain = ml.map((it) => s.resolve(it).value);
    keys = plain.map((m) => messageKey(m));
    d.context.messages = plain.reduce<number>((n, m) => n + JSON.stringify(m).length, 0);
  } else if (typeof ml === 'string') {
    plain = [{ role: 'user', content: ml }];
    keys = [messageKey(plain[0])];
    d.context.messages = ml.length;
  }
  d.context.count = keys.length;
  const items = (from: number): unknown[] => (plain ? plain.slice(from) : head ? chains.items(head, from) : []);
  const views = (from: number): unknown[] => (plain ? plain.slice(from) : head ? chains.views(head, from) : []);
  const firstFew = plain ? plain.slice(0, 8) : head ? chains.firstViews(head, 8) : [];
  const at = (i: number): unknown => (plain ? plain[i] : head ? chains.at(head, i) : undefined);
  const forPage = (from: number): PageMessage[] =>
    plain ? plain.slice(from).map(pageMessage) : head ? chains.pageItems(head, from) : [];
  return { keys, items, views, firstFew, at, forPage };
}

/** Thread: the latest earlier request whose messages are all a prefix of these. */
function placeThread(s: FileState, d: Draft, keys: readonly string[]) {
  const placed = s.trie.place(keys, d);
  const { node } = placed;
  let { parent, parentLen } = placed;
  // A request the rules trimmed (`rewrite.applied` sent with fewer messages; the log holds the trimmed
  // body) shares no prefix with its conversation: trimContext cuts the oldest exchanges and edits the
  // first message. It continues the latest earlier request holding one of its first kept messages.
  if (!parent && trimmedByRules(s.out.rewrites.get(d.key))) {
    parentLen = 0;
    for (const k of keys.slice(0, 4)) {
      parent = s.lastHolding.get(k);
      if (parent) break;
    }
  }
  s.lastHolding.hold(keys, d);
  if (keys.length) d.node = node;
  return { node, parent, parentLen };
}

/** Continue the parent's thread, or start one (spawned by a tool call whose input is its first user text). */
function startOrContinue(s: FileState, d: Draft, parent: Draft | undefined, parentLen: number, firstText: string) {
  if (parent) {
    d.thread = parent.thread;
    d.parentKey = parent.key;
    d.parentMessages = parentLen;
    d.facts.threadPosition = 'continues';
    return;
  }
  d.thread = `${d.pid}:${++s.threads}`;
  const from = firstText ? s.spawn.get(textHash(firstText)) : undefined;
  if (from) {
    d.spawnedBy = { key: from.draft.key, toolUseId: from.toolUseId, tool: from.tool };
    d.facts.spawnedBy = from.tool;
  }
}

/** The system prompt, interned by hash. */
function internSystem(s: FileState, d: Draft, body: Body, firstFew: unknown[], read: RequestRead): void {
  const sys = body.system ?? body.instructions;
  if (sys === undefined && !firstFew.some((m) => roleOf(m) === 'system' || roleOf(m) === 'developer')) return;
  const r = s.resolve(sys);
  const texts = systemBlocks(
    body.system !== undefined || body.instructions !== undefined ? { system: r.value } : {},
    firstFew,
  );
  const hash = r.hash ?? contentHash(JSON.stringify(texts));
  let sp = s.out.interned.systems.get(hash);
  read.system = { hash, first: !sp };
  if (!sp) {
    const blocks = texts.map((t) => ({ bytes: Buffer.byteLength(t), preview: own(t, 200), hash: contentHash(t) }));
    sp = { texts, bytes: JSON.stringify(r.value ?? texts).length, blocks };
    s.out.interned.systems.set(hash, sp);
  }
  d.systemHash = hash;
  d.facts.system = sp.texts;
  d.context.system = sp.bytes;
}

/** The tool definitions, interned by hash. */
function internTools(s: FileState, d: Draft, body: Body, read: RequestRead): void {
  if (!Array.isArray(body.tools) && !isBlobRef(body.tools)) return;
  const r = s.resolve(body.tools);
  // A missing blob's marker stands as one "tool" named after it.
  const list = Array.isArray(r.value) ? r.value : typeof r.value === 'string' ? [{ name: r.value }] : [];
  const hash = r.hash ?? contentHash(JSON.stringify(list));
  let t = s.out.interned.toolsets.get(hash);
  read.tools = { hash, list, first: !t };
  if (!t) {
    t = {
      names: list.map(toolName),
      bytes: JSON.stringify(list).length,
      sizes: list.map((x) => JSON.stringify(x).length),
    };
    s.out.interned.toolsets.set(hash, t);
  }
  d.toolsHash = hash;
  d.facts.tools = t.names;
  d.context.tools = t.bytes;
}

/** A rewrite that went out with fewer messages than the agent sent (trimContext). */
function trimmedByRules(rewrite: ExchangeRewrite | undefined): boolean {
  const m = rewrite?.state === 'sent' ? rewrite.change.messages : undefined;
  return Array.isArray(m) && Number(m[0]) > Number(m[1]);
}
