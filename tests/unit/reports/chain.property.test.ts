/**
 * A list's keys and bytes come from a recent list read, extended in place, when the list is that one plus a link
 * (chain.ts `extend`); else from a walk of its chain. For any links — each a prefix, what it keeps of it (`keep`, as
 * the sink writes when a resent message changed, e.g. a moved cache marker) and its own messages — read in any order
 * (so both ways and their switches happen), they are the list expanded from scratch: the first `keep` messages of the
 * prefix's list, then the link's.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { MessageChains } from '../../../reports/read/chain.js';
import { messageKey } from '../../../src/exchange/cache-markers.js';
import { LazyBlobs } from '../../../src/log/read.js';

interface Link {
  prefix: string | null;
  keep?: number;
  items: unknown[];
}

const message = fc.record({
  role: fc.constantFrom('user', 'assistant'),
  content: fc.constantFrom('hi', 'read x.ts', 'done', 'é'.repeat(20)),
});

/** Links, each on an earlier one (or none), as `[hash, link]` in the order the log writes them. */
const links = fc
  .array(
    fc.record({
      on: fc.option(fc.nat(), { nil: undefined }),
      keep: fc.option(fc.nat({ max: 12 }), { nil: undefined }),
      items: fc.array(message, { maxLength: 4 }),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((specs) =>
    specs.map((spec, i): [string, Link] => {
      // Mostly on the link before (a conversation going on), sometimes on any earlier one (a branch).
      const prefix = spec.on === undefined || i === 0 ? null : `L${spec.on % 2 === 0 ? i - 1 : spec.on % i}`;
      return [`L${i}`, { prefix, ...(spec.keep !== undefined ? { keep: spec.keep } : {}), items: spec.items }];
    }),
  );

function expand(all: Map<string, Link>, hash: string): unknown[] {
  const link = all.get(hash)!;
  const before = link.prefix === null ? [] : expand(all, link.prefix);
  return [...(link.keep !== undefined ? before.slice(0, link.keep) : before), ...link.items];
}

// Lists kept read: the default, and few enough that an extended list's base was dropped.
it.each([undefined, 2])(
  'a list read after any other has the keys and bytes of its expansion (recent: %s)',
  (recent) => {
    fc.assert(
      fc.property(links, fc.array(fc.nat(), { minLength: 1, maxLength: 60 }), (written, reads) => {
        // Inline messages only: the log's file is never read.
        const chains = new MessageChains(new LazyBlobs('/nonexistent/agenttap-chain-test.ndjson'), undefined, recent);
        const all = new Map(written);
        for (const [hash, link] of written) chains.addBlob(hash, link);
        // Mostly the next link after the last read (a conversation going on), sometimes any.
        let at = 0;
        for (const r of reads) {
          at = r % 3 === 0 ? r % written.length : Math.min(at + 1, written.length - 1);
          const [hash] = written[at]!;
          const messages = expand(all, hash);
          expect(chains.keys(hash)).toEqual(messages.map((m) => messageKey(m)));
          expect(chains.bytes(hash)).toBe(messages.reduce<number>((n, m) => n + JSON.stringify(m).length, 0));
        }
      }),
      { numRuns: 300 },
    );
  },
);
