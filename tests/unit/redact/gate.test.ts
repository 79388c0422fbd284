/**
 * The keyword gate (keywords.ts) and chunked batches (scan.ts) are speed-ups only: a rule gated
 * by keywords must find what it finds ungated, and a batch split in chunks what it finds whole.
 */
import fc from 'fast-check';
import rewritePattern from 'regexpu-core';
import { describe, expect, it } from 'vitest';
import type { Finding, TextRule } from '../../../src/policy/redact/finding.js';
import { gateRules } from '../../../src/policy/redact/keywords.js';
import { PATTERN_SPECS, regexRule } from '../../../src/policy/redact/patterns.js';
import { CHUNK_CHARS, createBatchScan, SEPARATOR } from '../../../src/policy/redact/scan.js';
import { secretlintGroup } from '../../../src/policy/redact/secretlint.js';
import { benignSamples, privateKeys, prng, randomChars, secretCases } from './fixtures.js';

/** What fast-check can generate from: no lookarounds, flags compiled away. */
function generator(source: string, flags = ''): RegExp {
  const g = source.replace(/\(\?<?[!=](?:[^()]|\([^()]*\))*\)/g, '');
  return new RegExp(flags.includes('i') ? rewritePattern(`(?i:${g})`, '', { modifiers: 'transform' }) : g);
}

describe('keyword gate', () => {
  const gated = PATTERN_SPECS.filter((s) => (s.keywords ?? []).length > 0);

  it.each(gated.map((s) => [s.name, s] as const))(
    '%s: every match it can make holds one of its keywords',
    (_n, spec) => {
      const arb = fc.stringMatching(generator(`${spec.prefix ?? ''}${spec.source}`, spec.flags));
      const rule = regexRule({ ...spec, accept: undefined }); // the shape, not the final check
      let matched = 0;
      for (const sample of fc.sample(arb, { numRuns: 200, seed: 7 })) {
        const out: Finding[] = [];
        rule.scan(` ${sample} `, out);
        if (out.length === 0) continue; // the generator ignores lookarounds: not a match
        matched++;
        const lower = sample.toLowerCase();
        expect(
          spec.keywords!.some((k) => lower.includes(k)),
          sample,
        ).toBe(true);
      }
      expect(matched).toBeGreaterThan(0);
    },
  );

  it('a rule runs only on text holding one of its keywords, any case; a rule without keywords always', () => {
    const ran: string[] = [];
    const probe = (name: string): TextRule => ({ name, scan: () => void ran.push(name) });
    const gate = gateRules('t', [
      { keywords: ['abc', 'xyz'], rule: probe('a') },
      { keywords: [], rule: probe('always') },
    ]);
    gate.scan('nothing here', []);
    gate.scan('some XyZ here', []);
    expect(ran).toEqual(['always', 'a', 'always']);
  });

  const corpus = [
    ...Object.values(secretCases(5)).map((c) => `the value is ${c.inText} in a line`),
    ...Object.values(privateKeys()),
    Object.values(secretCases(8))
      .map((c) => c.inText)
      .join('\n'),
    ...Object.values(benignSamples()).map(String),
  ];

  it("secretlint's preset finds the same gated as with every rule run", () => {
    const group = secretlintGroup();
    const everything = group.keywords.map(() => true);
    const gate = gateRules('secretlint', [], [group]);
    const key = (f: Finding) => `${f.start}-${f.end}-${f.type}`;
    let total = 0;
    for (const text of corpus) {
      const all: Finding[] = [];
      group.scan(text, everything, all);
      const some: Finding[] = [];
      gate.scan(text, some);
      expect(some.map(key).sort(), text.slice(0, 80)).toEqual(all.map(key).sort());
      total += all.length;
    }
    expect(total).toBeGreaterThan(10); // else equality proves nothing
  });
});

describe('chunked batches', () => {
  const r = prng(21);
  const marker = (i: number) => `MARK${String(i).padStart(5, '0')}`;
  const texts = [
    ...Array.from({ length: 300 }, (_, i) => `${randomChars(r, 1 + (i % 7) * 700)} ${marker(i)} ${randomChars(r, 50)}`),
    `${'a'.repeat(3 * CHUNK_CHARS)} ${marker(300)}`, // longer than a chunk: scanned on its own
  ];

  it('no scanned text is longer than a chunk unless it is one string as given; every finding maps back', () => {
    const seen: string[] = [];
    const rule: TextRule = {
      name: 'marks',
      scan(text, out) {
        seen.push(text);
        for (const m of text.matchAll(/MARK\d{5}/g))
          out.push({ start: m.index, end: m.index + m[0].length, type: 'mark', priority: 1 });
      },
    };
    const found = createBatchScan([rule])(texts);
    expect(seen.length).toBeGreaterThan(10);
    for (const s of seen) expect(s.length <= CHUNK_CHARS || texts.includes(s)).toBe(true);
    expect(seen.every((s) => !s.startsWith(SEPARATOR) && !s.endsWith(SEPARATOR))).toBe(true);
    texts.forEach((t, i) => {
      expect(found[i]!.map((f) => t.slice(f.start, f.end))).toEqual([marker(i)]);
    });
  });
});
