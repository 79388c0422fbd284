/**
 * The synchronous rule runner must find exactly what secretlint's own (async) `lintSource` finds:
 * same rules, same message ids, same ranges, on every secret kind and on benign text.
 */
import { lintSource } from '@secretlint/core';
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { describe, expect, it } from 'vitest';
import { createRuleRunner, type SecretlintRuleLike } from '../../../src/policy/redact/secretlint-runner.js';
import { benignSamples, privateKeys, secretCases } from './fixtures.js';

const rules = (presetRules as unknown as SecretlintRuleLike[]).filter((r) => !r.meta.id.endsWith('filter-comments'));
const run = createRuleRunner(rules);

async function viaCore(text: string) {
  const result = await lintSource({
    source: { content: text, filePath: 'agenttap-record.txt', ext: '.txt', contentType: 'text' },
    options: { config: { rules: rules.map((rule) => ({ id: rule.meta.id, rule })) } as never, noPhysicFilePath: true },
  });
  return sorted(result.messages.map((m) => ({ ruleId: m.ruleId, messageId: m.messageId, range: [...m.range] })));
}

/** Core runs rule handlers concurrently, so its order is arbitrary: compare as sets. */
function sorted<T extends { ruleId: string; range: number[] }>(messages: T[]): T[] {
  return messages.sort((a, b) => a.range[0]! - b.range[0]! || a.ruleId.localeCompare(b.ruleId));
}

const corpus = [
  ...Object.values(secretCases(3)).map((c) => `the value is ${c.inText} in a line`),
  ...Object.values(privateKeys()),
  Object.values(secretCases(9))
    .map((c) => c.inText)
    .join('\n'),
  ...Object.values(benignSamples()).map(String),
];

describe('synchronous secretlint rule runner', () => {
  it.each(corpus.map((text, i) => [i, text] as const))('finds what lintSource finds (sample %i)', async (_i, text) => {
    const sync = sorted(run(text).map((m) => ({ ruleId: m.ruleId, messageId: m.messageId, range: [...m.range] })));
    expect(sync).toEqual(await viaCore(text));
  });

  it('the corpus really contains findings (else equality proves nothing)', () => {
    const total = corpus.reduce((n, text) => n + run(text).length, 0);
    expect(total).toBeGreaterThan(10);
  });

  it('refuses a rule that would answer asynchronously, without an unhandled rejection', () => {
    const asyncRule: SecretlintRuleLike = {
      meta: { id: 'async-rule', supportedContentTypes: ['text'] },
      create: () => ({ file: () => Promise.reject(new Error('late')) }),
    };
    expect(() => createRuleRunner([asyncRule])('text')).toThrow(/asynchronous/);
  });
});
