/**
 * What a rewrite saves, counted honestly (issue 5): the estimates use what the API counted for the
 * conversation's last request where there is one, and the prompt cache is priced — a rewrite that keeps
 * the cached prefix reads it at 0.1×, one that changes it every turn writes it again at 1.25×.
 */
import { describe, expect, it } from 'vitest';
import { cacheSplit, shapeOf } from '../../../src/policy/rewrite/ledger.js';
import { RulesFile } from '../../../src/policy/rewrite/rules-schema.js';
import { createRulesStep } from '../../../src/policy/rewrite/runtime.js';
import type { OutgoingRequest, RulesOutcome } from '../../../src/policy/rewrite/wire.js';
import type { AnthropicBody, Block, Message } from '../../../src/policy/rewrite/types.js';
import { loadPriceTable } from '../../../src/pricing/index.js';

const prices = loadPriceTable();
const MODEL = 'claude-sonnet-4-5';

/** A tool loop the way Claude Code sends it: the cache marker on the newest message, moved every turn. */
function conversation(turns: number, resultChars = 4000): AnthropicBody[] {
  const messages: Message[] = [
    { role: 'user', content: [{ type: 'text', text: 'Fix the failing test in this repository.' }] },
  ];
  const requests: AnthropicBody[] = [];
  for (let turn = 0; turn < turns; turn++) {
    const marked = messages.map((m, i) => (i === messages.length - 1 ? withMarker(m) : m));
    requests.push({
      model: MODEL,
      max_tokens: 8000,
      system: [{ type: 'text', text: 'You are a coding agent.' }],
      messages: marked,
    });
    const id = `tu_${turn}`;
    messages.push({
      role: 'assistant',
      content: [{ type: 'tool_use', id, name: 'Read', input: { file: `f${turn}.ts` } }],
    });
    messages.push({
      role: 'user',
      content: [{ type: 'tool_result', tool_use_id: id, content: `${turn}:`.padEnd(resultChars, 'x') }],
    });
  }
  return requests;
}

function withMarker(message: Message): Message {
  const blocks: Block[] =
    typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
  return {
    ...message,
    content: blocks.map((b, i) => (i === blocks.length - 1 ? { ...b, cache_control: { type: 'ephemeral' } } : b)),
  };
}

const request = (body: AnthropicBody): OutgoingRequest => ({
  provider: 'anthropic',
  endpoint: 'anthropic.messages',
  method: 'POST',
  path: '/v1/messages',
  headers: {},
  body,
});

function run(
  rules: unknown[],
  bodies: AnthropicBody[],
  options: { dryRun?: boolean; usage?: (sent: AnthropicBody) => number } = {},
): RulesOutcome[] {
  const step = createRulesStep(RulesFile.parse({ rules }), { dryRun: options.dryRun ?? false, prices });
  return bodies.map((body) => {
    const outcome = step(request(body))!;
    const sent = outcome.send ? (JSON.parse(outcome.send.body) as AnthropicBody) : body;
    if (options.usage) outcome.settle?.({ input_tokens: options.usage(sent), output_tokens: 10 });
    return outcome;
  });
}

describe('the prompt-cache split', () => {
  it('an append-only conversation reads what the last request cached and writes only what is new', () => {
    const [first, second] = conversation(2).map(shapeOf);
    const split = cacheSplit(second!, first);
    expect(split.read).toBe(first!.cached);
    expect(split.write).toBe(second!.cached - first!.cached);
    expect(split.input).toBe(0); // the marker is on the last message
    expect(cacheSplit(first!, undefined)).toEqual({ read: 0, write: first!.cached, input: 0 });
  });

  it('a moved cache marker does not break the prefix; a changed message or another model does', () => {
    const [a, b] = conversation(2);
    expect(cacheSplit(shapeOf(b!), shapeOf(a!)).read).toBeGreaterThan(0);
    const edited = structuredClone(b!);
    edited.messages[0] = { role: 'user', content: 'Something else.' };
    expect(cacheSplit(shapeOf(edited), shapeOf(a!)).read).toBe(shapeOf(a!).upTo[1]); // tools and system still match
    expect(cacheSplit(shapeOf({ ...b!, model: 'claude-haiku-4-5' }), shapeOf(a!)).read).toBe(0);
  });

  it('a marker is left out wherever it sits in a block; the words "cache_control" in a text are content', () => {
    const text = (extra: Record<string, unknown>, at: 'first' | 'last') =>
      shapeOf({
        model: MODEL,
        max_tokens: 10,
        messages: [
          {
            role: 'user',
            content: [at === 'first' ? { ...extra, type: 'text', text: 'a' } : { type: 'text', text: 'a', ...extra }],
          },
        ],
      });
    const plain = text({}, 'last');
    const marker = { cache_control: { type: 'ephemeral', ttl: '1h' } };
    for (const at of ['first', 'last'] as const) {
      expect(text(marker, at).parts, at).toEqual(plain.parts);
      expect(text(marker, at).cached, at).toBe(plain.upTo.at(-1));
    }
    expect(plain.cached).toBe(0);
    const quoted = shapeOf({
      model: MODEL,
      max_tokens: 10,
      messages: [{ role: 'user', content: 'set "cache_control":{"type":"ephemeral"} on the block' }],
    });
    expect(quoted.cached).toBe(0);
  });

  it('a request without cache markers is all plain input', () => {
    const plain = { model: MODEL, max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };
    expect(cacheSplit(shapeOf(plain), shapeOf(plain))).toMatchObject({ read: 0, write: 0 });
  });
});

describe('rewrite accounting over a conversation', () => {
  const turns = conversation(8);

  it('a deterministic cut keeps the cached prefix: after the first turn the rewrite reads from the cache', () => {
    const outcomes = run([{ id: 'cut', actions: [{ type: 'truncate', maxChars: 500 }] }], turns);
    const later = outcomes.slice(2).map((o) => o.event!);
    expect(later.every((e) => e.sent && e.cache!.after.read > 0)).toBe(true);
    expect(later.every((e) => e.cost!.after < e.cost!.before)).toBe(true);
  });

  it('a sliding window breaks the prefix every turn: it is charged the cache write, and can cost more than it saves', () => {
    const outcomes = run([{ id: 'window', actions: [{ type: 'trimContext', keepExchanges: 2 }] }], turns);
    const trimmed = outcomes.filter((o) => o.event?.sent).map((o) => o.event!);
    expect(trimmed.length).toBeGreaterThan(2);
    const slid = trimmed.slice(1); // from the second trimmed turn on, the window has moved since the last request
    expect(slid.every((e) => e.tokens!.after < e.tokens!.before)).toBe(true);
    expect(
      slid.every((e) => e.cache!.after.read < e.cache!.before.read && e.cache!.after.write > e.cache!.before.write),
    ).toBe(true);
    // Priced without the cache, fewer tokens would look cheaper; with it, the rewrite costs more.
    const flat = (tokens: number) => prices.cost(MODEL, { input: tokens, output: 0, cacheRead: 0, cacheWrite: 0 })!;
    expect(slid.every((e) => flat(e.tokens!.after) < flat(e.tokens!.before))).toBe(true);
    expect(slid.some((e) => e.cost!.after > e.cost!.before)).toBe(true);
  });

  it('after a response, estimates are scaled by what the API counted for the conversation', () => {
    // From the second turn on there is a tool result to cut, so every decision has figures.
    const outcomes = run([{ id: 'cut', actions: [{ type: 'truncate', maxChars: 500 }] }], turns.slice(1, 4), {
      usage: (sent) => 3 * shapeOf(sent).upTo.at(-1)!, // the API counts 3× the size estimate
    });
    expect(outcomes[0]!.event!.tokens!.basis).toBe('size');
    expect(outcomes[0]!.event!.tokens!.before).toBe(shapeOf(turns[1]!).upTo.at(-1));
    const next = outcomes[1]!.event!;
    expect(next.tokens!.basis).toBe('usage');
    expect(Math.abs(next.tokens!.before - 3 * shapeOf(turns[2]!).upTo.at(-1)!)).toBeLessThanOrEqual(3);
  });

  it('inputTokens matches on the calibrated figure, where the size estimate alone would not', () => {
    const size = shapeOf(turns[2]!).upTo.at(-1)!;
    const rules = [
      {
        id: 'big',
        match: { inputTokens: { min: Math.round(1.5 * size) } },
        actions: [{ type: 'capMaxTokens', max: 1000 }],
      },
    ];
    expect(run(rules, turns.slice(0, 3)).map((o) => o.event?.sent ?? false)).toEqual([false, false, false]);
    const calibrated = run(rules, turns.slice(0, 3), { usage: (sent) => 4 * shapeOf(sent).upTo.at(-1)! });
    expect(calibrated.map((o) => o.event?.sent ?? false)).toEqual([false, true, true]);
  });

  it('a dry run prices the conversation the rules would have made, and sends nothing changed', () => {
    const rules = [{ id: 'window', actions: [{ type: 'trimContext', keepExchanges: 2 }] }];
    const live = run(rules, turns).map((o) => o.event?.cache);
    const dry = run(rules, turns, { dryRun: true });
    expect(dry.every((o) => o.send === undefined)).toBe(true);
    expect(dry.map((o) => o.event?.cache)).toEqual(live);
  });

  it('a request that may not be changed where it is (signed) is decided and logged, not sent', () => {
    const step = createRulesStep(
      RulesFile.parse({ rules: [{ id: 'swap', actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] }] }),
      { dryRun: false, prices },
    );
    const outcome = step(request(turns[0]!), 'a signed request: only the SDK layer can rewrite it');
    expect(outcome!.send).toBeUndefined();
    expect(outcome!.event).toMatchObject({
      sent: false,
      rejected: ['a signed request: only the SDK layer can rewrite it'],
      change: { model: [MODEL, 'claude-haiku-4-5'] },
    });
  });
});
