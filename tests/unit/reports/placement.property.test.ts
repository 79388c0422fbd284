/**
 * The thread trie and the latest-holder map start each call from what its conversation's last call left (placement.ts): for
 * any sequence of message lists — a conversation growing, resent, retried, cut back, branched, edited, emptied,
 * with keys repeated inside a list — they answer as the definitions do, computed here from every earlier list:
 *   parent: the latest earlier list equal to the longest prefix of this one that any earlier list equals (that
 *           prefix's length is parentLen); else, for more than one key, the latest earlier list with the same
 *           first key (parentLen 0);
 *   node:   the same for equal lists, different for different ones;
 *   holder: the latest list holding the key anywhere.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { LatestHolder, ThreadTrie } from '../../../reports/model/placement.js';

/** Few distinct keys, so lists share prefixes and repeat keys. */
const KEYS = ['a', 'b', 'c', 'd', 'e'];

/** How the next list is made from an earlier one (or from nothing). */
const step = fc.record({
  from: fc.nat(), // which earlier list (counted back from the latest), when there is one
  keep: fc.nat(), // how many of its keys are kept (capped at its length)
  add: fc.array(fc.constantFrom(...KEYS), { maxLength: 3 }),
  fresh: fc.boolean(), // a list of its own instead
});

function lists(steps: fc.Arbitrary<{ from: number; keep: number; add: string[]; fresh: boolean }[]>) {
  return steps.map((ss) => {
    const out: string[][] = [];
    for (const s of ss) {
      const base = s.fresh || out.length === 0 ? [] : out[out.length - 1 - (s.from % out.length)]!;
      // A new array each time, as the report's reader hands them over.
      out.push([...base.slice(0, Math.min(s.keep, base.length + 1)), ...s.add]);
    }
    return out;
  });
}

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

// Conversations followed at once: the default, and few enough that they are dropped and taken up again.
const RECENT = [undefined, 2];

it.each(RECENT)('places every list as a walk of the whole list from the root would (recent: %s)', (recent) => {
  fc.assert(
    fc.property(lists(fc.array(step, { maxLength: 60 })), (all) => {
      const trie = new ThreadTrie<number>(recent);
      const nodes: number[] = [];
      all.forEach((keys, i) => {
        const placed = trie.place(keys, i);
        let parent: number | undefined;
        let parentLen = 0;
        for (let len = keys.length; len >= 1 && parent === undefined; len--) {
          for (let j = i - 1; j >= 0; j--)
            if (same(all[j]!, keys.slice(0, len))) {
              parent = j;
              parentLen = len;
              break;
            }
        }
        if (parent === undefined && keys.length > 1)
          for (let j = i - 1; j >= 0 && parent === undefined; j--) if (all[j]![0] === keys[0]) parent = j;
        expect({ parent: placed.parent, parentLen: placed.parentLen }).toEqual({ parent, parentLen });
        for (let j = 0; j < i; j++)
          if (all[j]!.length > 0 && keys.length > 0) expect(placed.node === nodes[j]).toBe(same(all[j]!, keys));
        nodes.push(placed.node);
      });
    }),
    { numRuns: 300 },
  );
});

it.each(RECENT)('tells the latest list holding a key, wherever it holds it (recent: %s)', (recent) => {
  fc.assert(
    fc.property(lists(fc.array(step, { maxLength: 60 })), (all) => {
      const holder = new LatestHolder<number>(recent);
      all.forEach((keys, i) => {
        for (const key of KEYS) {
          let latest: number | undefined;
          for (let j = i - 1; j >= 0 && latest === undefined; j--) if (all[j]!.includes(key)) latest = j;
          expect(holder.get(key)).toBe(latest);
        }
        holder.hold(keys, i);
      });
    }),
    { numRuns: 300 },
  );
});
