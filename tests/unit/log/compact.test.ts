import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { testSeed } from '../../helpers/seed.js';
import { describeRequest } from '../../../src/exchange/request.js';
import type { Endpoint } from '../../../src/exchange/types.js';
import { BodyCompactor, parseBody } from '../../../src/log/compact.js';
import { createRedactor } from '../../../src/policy/redact/index.js';

const redactor = createRedactor({ key: Buffer.alloc(32, 7) });

/** A compactor and the blobs it wrote, in order. */
function compactor() {
  const blobs: [string, unknown][] = [];
  return { blobs, compactor: new BodyCompactor(256, (hash, content) => blobs.push([hash, content])) };
}

/**
 * Feeds `texts` to one compactor from the text (reusing what it read before) and to another from the parsed
 * body (every part read again, the way it was before issue 13): the log must get the same from both.
 */
function expectSameAsWhole(texts: string[], endpoint: Endpoint = 'anthropic.messages') {
  const fromText = compactor();
  const whole = compactor();
  texts.forEach((text, i) => {
    const parsed = parseBody(text);
    const read = fromText.compactor.text(endpoint, text, redactor);
    expect(read.body, `request ${i}`).toEqual(whole.compactor.body(endpoint, parsed, redactor));
    expect(describeRequest(endpoint, read.parsed), `request ${i}`).toEqual(describeRequest(endpoint, parsed));
  });
  expect(fromText.blobs).toEqual(whole.blobs);
}

const filler = (i: number, chars = 400) => `part ${i} "quoted" \\ back\\slash é ✓ `.repeat(Math.ceil(chars / 30));
const assistant = (i: number) => ({
  role: 'assistant',
  content: [
    { type: 'text', text: `step ${i}` },
    { type: 'tool_use', id: `toolu_${i}`, name: 'read', input: { path: `src/${i}.ts`, n: [i, { deep: [i] }] } },
  ],
});
const user = (i: number) => ({
  role: 'user',
  content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: filler(i) }],
});
const marked = (messages: unknown[]) => {
  const last = messages.at(-1) as { content: string | Record<string, unknown>[] };
  const blocks = typeof last.content === 'string' ? [{ type: 'text', text: last.content }] : last.content;
  const content = blocks.map((b, i) =>
    i === last.content.length - 1 ? { ...b, cache_control: { type: 'ephemeral' } } : b,
  );
  return [...messages.slice(0, -1), { ...last, content }];
};
/** A conversation after `turns` tool round trips. */
const history = (turns: number, start = 0) => {
  const out: unknown[] = [{ role: 'user', content: `task ${start}: ${filler(start, 300)}` }];
  for (let i = start; i < start + turns; i++) out.push(assistant(i), user(i));
  return out;
};
const system = filler(1000, 3000);
const tools = [{ name: 'read', description: filler(2000, 2000), input_schema: { type: 'object' } }];
/** The SDK's order (system and tools first) and Claude Code's (messages first, metadata after). */
const sdkBody = (messages: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: 'claude-x',
    max_tokens: 1024,
    system,
    tools,
    messages: marked(messages),
    stream: true,
    ...extra,
  });
const ccBody = (messages: unknown[], sys = system) =>
  JSON.stringify({
    model: 'claude-x',
    messages: marked(messages),
    system: [{ type: 'text', text: sys }],
    tools,
    metadata: { user_id: 'u' },
    max_tokens: 32000,
    stream: true,
  });

describe('BodyCompactor from the text (issue 13: per-turn work proportional to what is new)', () => {
  it('gives the log what reading every request whole gives, as conversations grow, fork, interleave and change', () => {
    const main = (n: number) => ccBody(history(n));
    const sub = (n: number) => ccBody(history(n, 100), 'a sub-agent prompt');
    const edited = history(6);
    (edited[3] as { content: unknown[] }).content = [
      { type: 'tool_result', tool_use_id: 'toolu_1', content: '[cleared]' },
    ];
    expectSameAsWhole([
      main(1),
      main(2),
      sub(1),
      main(3),
      sub(2),
      main(3), // a retry: the same text again
      main(5),
      ccBody(edited),
      ccBody(history(4)), // an edit in the middle, then a shorter history
      ccBody(history(6), 'another system prompt'), // one whole part changed
      ccBody(history(7), 'another system PROMPT'), // and one after the list too, at the same length
      sdkBody(history(2)),
      sdkBody(history(3)),
      sdkBody(history(3), { max_tokens: 99 }), // a small field changed
      sdkBody(history(4), { max_tokens: 7, temperature: 1 }), // two fields changed: read whole
      JSON.stringify(JSON.parse(sdkBody(history(5))), null, 2),
      JSON.stringify(JSON.parse(sdkBody(history(6))), null, 2),
      `${sdkBody(history(6)).slice(0, -40)}}`, // not JSON
      sdkBody(history(7), { messages: 'now a string' }),
      sdkBody(history(7)), // a repeated key: JSON.parse keeps the last
      '{"model":"x","messages":[1,2],"stream":true}',
      '{"model":"x","messages":[1,23],"stream":true}', // a kept element's bytes, then more of the same number
      '{"model":"x","messages":[1,23,"a]b"],"stream":true}', // a bracket inside a new string
      '{"model":"x","messages":[1,23,"a]b"],"stream":1}', // the last field, at the same length
      '{"model":"x","messages":[1,23,"a]b"],"stream":10}', // and longer by a digit
      '[1,2,3]',
      '"text"',
      '{}',
    ]);
  });

  it('agrees with reading whole on generated edit sequences', () => {
    const seed = testSeed();
    const op = fc.oneof(
      fc.constant('grow'),
      fc.constant('retry'),
      fc.constant('drop'),
      fc.constant('edit'),
      fc.constant('system'),
      fc.constant('other'),
    );
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), fc.integer({ min: 0, max: 3 }), (ops, start) => {
        let turns = start;
        let sys = system;
        let edits = 0;
        const texts: string[] = [];
        for (const o of ops) {
          if (o === 'grow') turns++;
          if (o === 'drop') turns = Math.max(0, turns - 1);
          if (o === 'system') sys = `${system.slice(0, -2)}${String(++edits % 100).padStart(2, '0')}`; // the same length
          if (o === 'edit') edits++;
          const messages = history(turns);
          if (edits > 0 && messages.length > 2) messages[1] = { role: 'assistant', content: `edited ${edits}` };
          texts.push(o === 'other' ? sdkBody(messages) : ccBody(messages, sys));
        }
        expectSameAsWhole(texts);
      }),
      { seed, numRuns: 40 },
    );
  });

  it("keeps its own copy of the bytes it is given (the worker's are a view into the shared ring, reused after the call)", () => {
    const ring = Buffer.alloc(1 << 20);
    const fromView = compactor();
    const whole = compactor();
    const parse = vi.spyOn(JSON, 'parse');
    for (const turns of [3, 4, 5, 5, 7, 8]) {
      const text = ccBody(history(turns));
      parse.mockClear();
      const read = fromView.compactor.text('anthropic.messages', ring.subarray(0, ring.write(text)), redactor);
      const parsed = parse.mock.calls.reduce((n, [t]) => n + String(t).length, 0);
      ring.fill(' '); // what the writer leaves there next is not this text
      expect(read.body).toEqual(whole.compactor.body('anthropic.messages', JSON.parse(text), redactor));
      // Read from its own copy of the text before: only the new messages were parsed.
      if (turns === 8) expect(parsed).toBeLessThan(text.length / 4);
    }
    expect(fromView.blobs).toEqual(whole.blobs);
    vi.restoreAllMocks();
  });

  it('keeps exactly the text it last read, though it updates its copy only where the text changed', () => {
    const { compactor: c } = compactor();
    const parse = vi.spyOn(JSON, 'parse');
    // Growing by a message pair, by one message, by one that ends in a longer tail, and not growing.
    const texts = [3, 4, 4, 6, 7].map((turns) => ccBody(history(turns)));
    texts.splice(2, 0, ccBody([...history(4), { role: 'user', content: 'x' }]));
    texts.push(sdkBody(history(7)), sdkBody(history(8)), sdkBody(history(8), { metadata: { user_id: 'v' } }));
    for (const [i, text] of texts.entries()) {
      c.text('anthropic.messages', text, redactor);
      parse.mockClear();
      // The same text again matches its copy byte for byte: nothing is parsed.
      c.text('anthropic.messages', text, redactor);
      expect(parse.mock.calls.length, `request ${i}`).toBe(0);
    }
    vi.restoreAllMocks();
  });

  describe('parses and serialises only what is new', () => {
    afterEach(() => vi.restoreAllMocks());

    it('a turn that adds two messages to a conversation 40 times their size parses and serialises about them alone', () => {
      const { compactor: c } = compactor();
      c.text('anthropic.messages', ccBody(history(60)), redactor);
      const next = ccBody(history(61));
      const parse = vi.spyOn(JSON, 'parse');
      const stringify = vi.spyOn(JSON, 'stringify');
      c.text('anthropic.messages', next, redactor);
      const parsed = parse.mock.calls.reduce((n, [text]) => n + String(text).length, 0);
      const serialised = stringify.mock.results.reduce((n, r) => n + String(r.value ?? '').length, 0);
      const added = JSON.stringify([assistant(60), user(60)]).length;
      expect(next.length).toBeGreaterThan(40 * added);
      expect(parsed).toBeLessThan(3 * added);
      expect(serialised).toBeLessThan(4 * added);
    });
  });
});
