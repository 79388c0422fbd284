/**
 * Issue 13: the report classifies each exchange with one pass of the sets' `detect` conditions (classifyAll detects,
 * then classifies the same facts: the second pass was the same work again), once per class of exchanges no signature
 * can tell apart, and to the same classification as each exchange classified alone.
 */
import { describe, expect, test } from 'vitest';
import { Classifier, holds } from '../../../src/mechanisms/classify.js';
import { shippedSets } from '../../../src/mechanisms/shipped.js';
import type { Condition, ExchangeFacts, SignatureSet } from '../../../src/mechanisms/types.js';
import { classifyAll } from '../../../reports/model/classify.js';
import type { Draft } from '../../../reports/read/draft.js';

/** A detect condition that counts how often its `method` leaf is read (each evaluation reads it once). */
function countingDetect(): { cond: Condition; reads: () => number } {
  let reads = 0;
  let counting = false;
  const cond = {} as Condition;
  Object.defineProperty(cond, 'method', {
    enumerable: true,
    get: () => {
      if (counting) reads++;
      return 'POST';
    },
  });
  // Compiled first (compiling reads which fields it has): only evaluations are counted.
  holds(cond, facts());
  counting = true;
  return { cond, reads: () => reads };
}

const facts = (over: Partial<ExchangeFacts> = {}): ExchangeFacts => ({
  method: 'POST',
  endpoint: 'anthropic.messages',
  path: '/v1/messages',
  hasBody: true,
  headers: { 'user-agent': 'tester/1.2.3' },
  stream: false,
  system: [],
  tools: [],
  thinking: false,
  messageCount: 1,
  firstUserText: 'hi',
  lastUserText: 'hi',
  toolResults: false,
  responseTools: [],
  threadPosition: 'first',
  primaryThread: false,
  afterBrokenStream: false,
  ...over,
});

const draft = (pid: number, f: ExchangeFacts) => ({ pid, thread: `${pid}:1`, facts: f }) as unknown as Draft;

describe('classifyAll', () => {
  test("reads each set's detect condition once per exchange, and classifies as before", () => {
    const { cond, reads } = countingDetect();
    const set: SignatureSet = {
      agent: 'tester',
      label: 'Tester',
      detect: cond,
      version: [{ header: 'user-agent', pattern: 'tester/(\\d+\\.\\d+\\.\\d+)' }],
      signatures: [
        { id: 'tester/get', mechanism: 'probe', when: { method: 'GET' } },
        { id: 'tester/post', mechanism: 'main-loop', when: { messageCount: { min: 1 } } },
      ],
    };
    const drafts = [draft(1, facts()), draft(1, facts({ messageCount: 3 })), draft(2, facts())];
    const out = classifyAll(drafts, new Classifier([set]), new Map([[1, '1:1']]));
    expect(reads()).toBe(drafts.length);
    expect(out.map((c) => [c.agent, c.agentVersion, c.mechanism, c.signature])).toEqual([
      ['tester', '1.2.3', 'main-loop', 'tester/post'],
      ['tester', '1.2.3', 'main-loop', 'tester/post'],
      ['tester', '1.2.3', 'main-loop', 'tester/post'],
    ]);
  });
});

describe('classifyAll over a long thread', () => {
  const BILLING = 'x-anthropic-billing-header: cc_version=2.1.112.9a6; cc_entrypoint=sdk-cli; cch=00000;';
  const system = [
    BILLING,
    "You are a Claude agent, built on Anthropic's Claude Agent SDK.",
    'You are an interactive agent that helps users with software engineering tasks.',
  ];
  const tools = ['Agent', 'Bash', 'Read'];
  const headers = { 'user-agent': 'claude-cli/2.1.112 (external, sdk-cli)' };
  // A main loop: a prompt, then tool round trips (one more message each), a sub-agent, an unrecognised call.
  const turns: ExchangeFacts[] = [
    facts({ headers, system, tools, messageCount: 1, firstUserText: 'fix it', lastUserText: 'fix it', stream: true }),
    ...Array.from({ length: 40 }, (_, i) =>
      facts({
        headers,
        system,
        tools,
        stream: true,
        messageCount: 3 + 2 * i,
        firstUserText: 'fix it',
        // Every fifth a new prompt of its own words; one asks for a summary (a compaction's words).
        lastUserText: i % 5 ? '' : i === 20 ? 'Write a summary of the conversation so far.' : `now step ${i}`,
        toolResults: i % 5 !== 0,
        threadPosition: 'continues',
        maxTokens: i % 2 ? 32000 : 64000,
        responseTools: i % 3 ? ['Read'] : ['Agent'],
      }),
    ),
    facts({
      headers,
      system: [],
      tools: [],
      messageCount: 1,
      firstUserText: 'look around',
      lastUserText: 'look around',
      spawnedBy: 'Agent',
    }),
    facts({ headers: {}, method: 'GET', hasBody: false, messageCount: 0 }),
  ];
  const drafts = turns.map((f, i) => ({ ...draft(7, f), thread: i < 41 ? '7:1' : '7:2' }) as Draft);

  test('classifies each class of exchanges once, each exchange as it would be alone', () => {
    const alone = new Classifier(shippedSets());
    const expected = turns.map((f, i) => {
      const own = { ...f, primaryThread: i < 41 };
      return alone.classify(own, alone.detect(own) ? undefined : { agent: 'claude-code', version: '2.1.112' });
    });
    const counting = new Classifier(shippedSets());
    let calls = 0;
    const classify = counting.classify.bind(counting);
    counting.classify = (...args) => {
      calls++;
      return classify(...args);
    };
    const got = classifyAll(drafts, counting, new Map([[7, '7:1']]));
    expect(got).toEqual(expected);
    expect(new Set(got.map((c) => c.mechanism)).size).toBeGreaterThan(1);
    // Classes, not exchanges: the prompt, round trips and new prompts by max_tokens and tool, the summary request (its words), the
    // sub-agent, the unlabelled GET.
    expect(calls).toBeLessThanOrEqual(14);
    // Copies: a row's reasons are its own to change (rows.ts prefixes a retry's).
    expect(got[5]!.reasons).not.toBe(got[7]!.reasons);
  });
});
