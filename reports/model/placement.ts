/**
 * Threads of one process: a request continues the latest earlier request whose messages (normalised keys)
 * are all a prefix of its own — a trie over message keys, where each node remembers the last request that
 * ended there. A request sharing only the first message with an earlier one (its history edited) continues
 * that one's thread too. Memory: one trie edge per distinct message-in-context.
 *
 * Time: a request most often resends the previous one's messages and adds a few. Both structures here start from
 * what the previous call left (its path in the trie; its keys as the latest holder's), found by comparing the keys
 * with a copy of the previous call's (the chains hand out the same strings: a pointer compare each), and do map
 * work and copying only for the keys past that shared prefix. A walk of the whole list per request made a
 * 4 000-turn thread's report ~4× slower than the same turns compacted every 50 (turns², in map lookups).
 */
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
   * The previous call's keys (a copy), and its path: `nodes[i]` the node after i keys, `deepest[i]` the depth of the
   * deepest node with an end among the first i (0: none).
   */
  private readonly lastKeys: string[] = [];
  private readonly nodes: number[] = [0];
  private readonly deepest: number[] = [0];

  place(keys: readonly string[], item: T): Placed<T> {
    // The previous path holds for the shared prefix: only this method changes the trie, and the last call's one
    // new end is at its own last node, already in `deepest`.
    const shared = sharedPrefix(keys, this.lastKeys);
    const { nodes, deepest } = this;
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
    if (keys.length) {
      this.ends.set(node, item);
      this.byFirst.set(keys[0]!, item);
      deepest[keys.length] = keys.length;
    }
    copyPast(keys, shared, this.lastKeys);
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
 * The latest item (request) holding each key (message), whatever its position. The previous call's keys are held by
 * its item without a map entry each; a call writes only the previous keys it does not share the prefix of.
 */
export class LatestHolder<T> {
  private readonly earlier = new Map<string, T>();
  /** The last item's keys (a copy). */
  private readonly lastKeys: string[] = [];
  private last: T | undefined;

  /** `item` holds `keys`, and is later than every item before it. */
  hold(keys: readonly string[], item: T): void {
    const previous = this.last;
    const shared = sharedPrefix(keys, this.lastKeys);
    if (previous !== undefined)
      for (let i = shared; i < this.lastKeys.length; i++) this.earlier.set(this.lastKeys[i]!, previous);
    copyPast(keys, shared, this.lastKeys);
    this.last = item;
  }

  /** The latest item holding `key`. Linear in the last item's keys: for the rare caller (a trimmed request). */
  get(key: string): T | undefined {
    return this.lastKeys.includes(key) ? this.last : this.earlier.get(key);
  }
}

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
