/**
 * Threads of one process: a request continues the latest earlier request whose messages (normalised keys)
 * are all a prefix of its own — a trie over message keys, where each node remembers the last request that
 * ended there. A request sharing only the first message with an earlier one (its history edited) continues
 * that one's thread too. Memory: one trie edge per distinct message-in-context.
 *
 * Time: a request most often resends its conversation's last request's messages and adds a few. Both structures here
 * start from what that request left (its path in the trie; its keys as the latest holder's), kept per conversation
 * (by first key: a main loop and its sub-agents interleave), found by comparing the keys with a copy of that
 * request's (the chains hand out the same strings: a pointer compare each), and do map work and copying only for the
 * keys past that shared prefix. A walk of the whole list per request made a 4 000-turn thread's report ~4× slower
 * than the same turns compacted every 50 (turns², in map lookups).
 */
import { recentEntry } from './recent.js';

export interface Placed<T> {
  parent?: T;
  /** Messages shared with the parent (0 when only the first message matched). */
  parentLen: number;
  /** The trie node of the whole message list (identifies "the same messages"). */
  node: number;
}

/** Edges keyed `node * KEYS + key id` (a number: a string key built per step cost more than the rest of the walk). */
const KEYS = 2 ** 26;

export class ThreadTrie<T> {
  /** Message keys by id: each key string is hashed once (the chains hand out the same strings every time). */
  private readonly ids = new Map<string, number>();
  private readonly edges = new Map<number, number>();
  private readonly ends = new Map<number, T>();
  private readonly byFirst = new Map<string, T>();
  private next = 1;
  /**
   * The last path placed of each recent conversation, by its first key (a main loop and its sub-agents interleave).
   * Exact while kept: only a list with the same first key can add an end on that path, and it updates this one.
   */
  private readonly paths = new Map<string, Path>();

  /** `recent`: conversations whose last path is kept. */
  constructor(private readonly recent = RECENT) {}

  place(keys: readonly string[], item: T): Placed<T> {
    if (keys.length === 0) return { parentLen: 0, node: 0 };
    const path = recentEntry(this.paths, keys[0]!, this.recent, () => ({ keys: [], nodes: [0], deepest: [0] }));
    // The kept path holds for the shared prefix: the last placement there set its one new end at its own last node,
    // already in `deepest`.
    const shared = sharedPrefix(keys, path.keys);
    const { nodes, deepest } = path;
    nodes.length = shared + 1;
    deepest.length = shared + 1;
    let node = nodes[shared]!;
    let best = deepest[shared]!;
    let depth = shared;
    for (; depth < keys.length; depth++) {
      const n = this.edges.get(node * KEYS + this.id(keys[depth]!));
      if (n === undefined) break;
      node = n;
      if (this.ends.has(node)) best = depth + 1;
      nodes.push(node);
      deepest.push(best);
    }
    for (; depth < keys.length; depth++) {
      const id = this.next++;
      this.edges.set(node * KEYS + this.id(keys[depth]!), id);
      node = id;
      nodes.push(node);
      deepest.push(best);
    }
    let parent = best > 0 ? this.ends.get(nodes[best]!) : undefined;
    let parentLen = best;
    if (parent === undefined && keys.length > 1) {
      // Same first message, earlier turns edited (e.g. thinking dropped): the same conversation.
      parent = this.byFirst.get(keys[0]!);
      parentLen = 0;
    }
    this.ends.set(node, item);
    this.byFirst.set(keys[0]!, item);
    deepest[keys.length] = keys.length;
    copyPast(keys, shared, path.keys);
    return { parent, parentLen, node };
  }

  private id(key: string): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      // Beyond 2^26 distinct messages (and 2^27 trie nodes) the edge numbers would not stay exact.
      if (id >= KEYS) throw new Error('too many distinct messages in one log file for the thread trie');
      this.ids.set(key, id);
    }
    return id;
  }
}

/**
 * The latest item (request) holding each key (message), whatever its position. The last list of each recent
 * conversation (by first key) is held by its item without a map entry per key; a call writes only the keys of its
 * conversation's last list that it does not share the prefix of (and a conversation's whole list when it is dropped
 * from the recent ones).
 */
export class LatestHolder<T> {
  /** Keys no kept list holds any more, with the latest item that did (`seq`: items in the order held). */
  private readonly earlier = new Map<string, Held<T>>();
  private readonly lists = new Map<string, Held<T> & { keys: string[] }>();
  private seq = 0;

  /** `recent`: conversations whose last list is kept. */
  constructor(private readonly recent = RECENT) {}

  /** `item` holds `keys`, and is later than every item before it. */
  hold(keys: readonly string[], item: T): void {
    const seq = ++this.seq;
    if (keys.length === 0) return;
    const list = recentEntry(
      this.lists,
      keys[0]!,
      this.recent,
      () => ({ keys: [], item, seq }),
      (dropped) => this.settle(dropped, 0),
    );
    const shared = sharedPrefix(keys, list.keys);
    this.settle(list, shared);
    copyPast(keys, shared, list.keys);
    list.item = item;
    list.seq = seq;
  }

  /** The latest item holding `key`. Linear in the kept lists: for the rare caller (a trimmed request). */
  get(key: string): T | undefined {
    let latest = this.earlier.get(key);
    for (const list of this.lists.values())
      if ((latest === undefined || list.seq > latest.seq) && list.keys.includes(key)) latest = list;
    return latest?.item;
  }

  /** The list's keys from `from` on are no longer held by it lazily: in the map, unless a later item holds them. */
  private settle(list: Held<T> & { keys: string[] }, from: number): void {
    for (let i = from; i < list.keys.length; i++) {
      const key = list.keys[i]!;
      const known = this.earlier.get(key);
      if (known === undefined || known.seq < list.seq) this.earlier.set(key, { item: list.item, seq: list.seq });
    }
  }
}

interface Held<T> {
  item: T;
  seq: number;
}

/** A conversation's last placed path: its keys (a copy), the node after i keys, the deepest end's depth up to i. */
interface Path {
  keys: string[];
  nodes: number[];
  deepest: number[];
}

/** Conversations followed at once (a main loop, its sub-agents, side calls). */
const RECENT = 16;

/** `into` made a copy of `keys`, whose first `shared` it already holds. */
function copyPast(keys: readonly string[], shared: number, into: string[]): void {
  into.length = shared;
  for (let i = shared; i < keys.length; i++) into.push(keys[i]!);
}

/** How many leading keys `a` and `b` share. */
function sharedPrefix(a: readonly string[], b: readonly string[]): number {
  const max = Math.min(a.length, b.length);
  let i = 0;
  while (i < max && a[i] === b[i]) i++;
  return i;
}
