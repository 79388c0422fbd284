/**
 * Recall, measured: a generated secret for each gitleaks rule (random each run; the seed is in
 * the failure message), planted in the contexts an agent puts secrets in, must not survive.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import { GITLEAKS } from '../../../src/policy/redact/rules/gitleaks/rules.js';
import { recallCorpus, type Planted } from './corpus.js';
import { benignSamples } from './fixtures.js';
import { testSeed } from '../../helpers/seed.js';

const seed = testSeed();
const { planted, ungenerated } = recallCorpus(seed);
const redactor = createRedactor({ key: Buffer.alloc(32, 4) });

const singleLine = (p: Planted): boolean => !/[\r\n]/.test(p.sample);
const contexts: [string, (p: Planted) => boolean, (p: Planted) => string][] = [
  ['env line', singleLine, (p) => redactor.text(`# .env\nSERVICE_CREDENTIAL=${p.sample}\nDEBUG=0\n`)],
  ['JSON value', () => true, (p) => redactor.text(JSON.stringify({ config: { value: p.sample } }))],
  ['YAML', singleLine, (p) => redactor.text(`service:\n  credential: ${p.sample}\n  region: eu\n`)],
  ['prose', () => true, (p) => redactor.text(`The deploy used ${p.sample} yesterday.`)],
  ['tool result', () => true, (p) => JSON.stringify(redactor.value(toolResult(`cat .env\n${p.sample}\n`)))],
  ['JSON-escaped', () => true, (p) => redactor.text(JSON.stringify({ log: `line\n${p.sample}\nend` }))],
  ['header', (p) => singleLine(p), (p) => JSON.stringify(redactor.headers({ 'x-debug': p.sample }))],
  [
    'URL query',
    (p) => !/[\s"'<>\\#&]/.test(p.sample),
    (p) => redactor.url(`https://api.example.com/v1?q=${p.sample}&page=2`),
  ],
];

function toolResult(content: string): unknown {
  return { messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content }] }] };
}

describe(`recall corpus (seed ${seed})`, () => {
  it('covers at least 100 secret types', () => {
    expect(planted.length, `ungenerated: ${ungenerated.join(' ')}`).toBeGreaterThanOrEqual(100);
  });

  it.each(contexts)('no planted secret survives: %s', (_name, applies, redact) => {
    const leaks: string[] = [];
    for (const p of planted.filter(applies)) {
      const out = redact(p);
      const escaped = JSON.stringify(p.secret).slice(1, -1);
      if (out.includes(p.secret) || out.includes(escaped)) leaks.push(`${p.rule}: ${JSON.stringify(p.sample)}`);
    }
    expect(leaks, `seed ${seed}`).toEqual([]);
  });
});

describe('precision corpus: what agents send that is not a secret survives, with every rule armed', () => {
  // Every rule's keywords in the same conversation, so every gitleaks rule runs on the samples.
  const allKeywords = [...new Set(GITLEAKS.rules.flatMap((r) => r.keywords))].join(' ');

  it.each(Object.entries(benignSamples()))('%s', (_name, sample) => {
    const body = toolResult(`${allKeywords}\n${sample}`);
    expect(redactor.value(body)).toEqual(body);
  });
});
