/**
 * Threads of one process: a request continues the latest earlier request whose messages (normalised keys)
 * are all a prefix of its own — a trie over message keys, where each node remembers the last request that
 * ended there. A request sharing only the first message with an earlier one (its history edited) continues
 * that one's thread too. Memory: one trie edge per distinct message-in-context.
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

  place(keys: readonly string[], item: T): Placed<T> {
    let node = 0;
    let parent: T | undefined;
    let parentLen = 0;
    let depth = 0;
    for (; depth < keys.length; depth++) {
      const n = this.edges.get(node * KEYS + this.id(keys[depth]!));
      if (n === undefined) break;
      node = n;
      const end = this.ends.get(node);
      if (end !== undefined) {
        parent = end;
        parentLen = depth + 1;
      }
    }
    for (; depth < keys.length; depth++) {
      const id = this.next++;
      this.edges.set(node * KEYS + this.id(keys[depth]!), id);
      node = id;
    }
    if (parent === undefined && keys.length > 1) {
      // Same first message, earlier turns edited (e.g. thinking dropped): the same conversation.
      parent = this.byFirst.get(keys[0]!);
      parentLen = 0;
    }
    if (keys.length) {
      this.ends.set(node, item);
      this.byFirst.set(keys[0]!, item);
    }
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
