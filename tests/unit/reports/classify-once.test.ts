/**
 * Issue 13: the report classifies each exchange with one pass of the sets' `detect` conditions (classifyAll detects,
 * then classifies the same facts: the second pass was the same work again), and the same classification as before.
 */
import { describe, expect, test } from 'vitest';
import { Classifier, holds } from '../../../src/mechanisms/classify.js';
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
