/**
 * Recall and false positives per rule family (gitleaks, hand-written, secretlint, keyword), each
 * family alone on the same planted secrets and benign samples: all rules together must miss
 * nothing and flag nothing. With AGENTTAP_FAMILY_REPORT=<file>, the counts are written there as
 * JSON (bench/redact-throughput.mjs reads them for BENCHMARKS.md).
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyFindings } from '../../../src/policy/redact/apply.js';
import type { Finding, TextRule } from '../../../src/policy/redact/finding.js';
import { gitleaksRules } from '../../../src/policy/redact/gitleaks.js';
import { createRedactor } from '../../../src/policy/redact/index.js';
import { keyedEntropyRule } from '../../../src/policy/redact/keyed.js';
import { gateRules } from '../../../src/policy/redact/keywords.js';
import { patternGatedRules } from '../../../src/policy/redact/patterns.js';
import { GITLEAKS } from '../../../src/policy/redact/rules/gitleaks/rules.js';
import { secretlintGroup } from '../../../src/policy/redact/secretlint.js';
import { recallCorpus } from './corpus.js';
import { benignSamples, secretCases } from './fixtures.js';
import { testSeed } from '../../helpers/seed.js';

const seed = testSeed();
const tagger = (_secret: string, type: string): string => `[REDACTED:${type}:00000000]`;
const families: Record<string, TextRule> = {
  gitleaks: gateRules('gitleaks', gitleaksRules()),
  'hand-written': gateRules('hand-written', patternGatedRules()),
  secretlint: gateRules('secretlint', [], [secretlintGroup()]),
  keyword: keyedEntropyRule(),
};
const all = createRedactor({ key: Buffer.alloc(32, 6) });
const redactWith = (rule: TextRule, text: string): string => {
  const out: Finding[] = [];
  rule.scan(text, out);
  return applyFindings(text, out, tagger, {});
};

/** Text contexts (the redactor's value/headers/url contexts are in recall.test.ts). */
const contexts: ((s: string) => string)[] = [
  (s) => `# .env\nSERVICE_CREDENTIAL=${s}\nDEBUG=0\n`,
  (s) => JSON.stringify({ config: { value: s } }),
  (s) => `The deploy used ${s} yesterday.`,
  (s) => JSON.stringify({ log: `line\n${s}\nend` }),
];

const { planted } = recallCorpus(seed);
const corpora: Record<string, { sample: string; secret: string }[]> = {
  'gitleaks-generated (one per rule)': planted.filter((p) => !/[\r\n]/.test(p.sample)),
  'hand-written fixtures': Object.values(secretCases(seed)).map((c) => ({ sample: c.inText, secret: c.secret })),
};
const leaked = (out: string, secret: string): boolean =>
  out.includes(secret) || out.includes(JSON.stringify(secret).slice(1, -1));

interface Row {
  corpus: string;
  total: number;
  /** Planted (secret, context) pairs each family clears on its own, and all rules together. */
  caught: Record<string, number>;
}
const rows: Row[] = [];

describe(`recall per family (seed ${seed})`, () => {
  it.each(Object.entries(corpora))('%s: all rules together miss none', (name, items) => {
    const caught: Record<string, number> = { all: 0, ...Object.fromEntries(Object.keys(families).map((f) => [f, 0])) };
    for (const { sample, secret } of items) {
      const texts = contexts.map((c) => c(sample));
      for (const t of texts) {
        for (const [family, rule] of Object.entries(families))
          if (!leaked(redactWith(rule, t), secret)) caught[family]!++;
        if (!leaked(all.text(t), secret)) caught.all!++;
      }
    }
    rows.push({ corpus: name, total: items.length * contexts.length, caught });
    expect(caught.all, `seed ${seed}`).toBe(items.length * contexts.length);
  });
});

const falsePositives: Record<string, number> = {};
let benignTotal = 0;

describe('false positives per family', () => {
  // Every gitleaks keyword in the same text, so every gated rule runs on the samples.
  const armed = [...new Set(GITLEAKS.rules.flatMap((r) => r.keywords))].join(' ');
  const samples = Object.values(benignSamples()).map(String);

  it('all rules together flag none of the benign samples', () => {
    benignTotal = samples.length;
    for (const [family, rule] of [...Object.entries(families), ['all', undefined] as const]) {
      falsePositives[family] = samples.filter((s) => {
        const text = `${armed}\n${s}`;
        return (rule ? redactWith(rule, text) : all.text(text)) !== text;
      }).length;
    }
    expect(falsePositives.all).toBe(0);
  });
});

describe('report', () => {
  it('writes the counts when asked', () => {
    const file = process.env.AGENTTAP_FAMILY_REPORT;
    if (file)
      writeFileSync(file, JSON.stringify({ seed, contexts: contexts.length, rows, benignTotal, falsePositives }));
    expect(rows.length).toBe(Object.keys(corpora).length);
  });
});
