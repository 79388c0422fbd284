/**
 * The recall corpus: for each gitleaks rule, a well-formed secret drawn from the rule's own
 * regex (fast-check's stringMatching; random each run), kept only if the rule alone accepts it
 * (entropy, allowlists). `sample` is the text the rule matched (key name and all), `secret` the
 * part it must redact.
 */
import fc from 'fast-check';
import rewritePattern from 'regexpu-core';
import type { Finding } from '../../../src/policy/redact/finding.js';
import { gitleaksRule } from '../../../src/policy/redact/gitleaks.js';
import { GITLEAKS } from '../../../src/policy/redact/rules/gitleaks/rules.js';

export interface Planted {
  rule: string;
  sample: string;
  secret: string;
}

/** The secret suffix scripts/gitleaks-rules.mjs writes (a lookahead). */
const SUFFIXES = [String.raw`(?=[\x60'"\s;,/?&#)\]}>|\\]|$)`];

/** The generator's escape-aware additions (JSON-escaped text): lookbehinds and `\\[nrt"']` alternatives. */
const ESCAPE_ADDITIONS = [
  /\(\?:\\b\|\(\?<=\\\\\[[A-Za-z]+\]\)\)/g,
  /\|\(\?<=\\\\\[[A-Za-z]+\]\)/g,
  /\|\\\\\[[A-Za-z"'\\x60]+\]/g,
];

/**
 * fast-check's generator knows neither `\b`, lookarounds nor flags: drop the first two (the
 * contexts we plant in supply the boundaries, and the escape alternatives would only plant
 * backslashes), compile the flags away.
 */
function generatorSource(source: string, flags: string): RegExp {
  let g = SUFFIXES.reduce((s, suffix) => s.split(suffix).join(''), source).replaceAll('\\b', '');
  for (const re of ESCAPE_ADDITIONS) g = g.replace(re, '');
  if (flags.includes('i')) g = rewritePattern(`(?i:${g})`, '', { modifiers: 'transform' });
  return new RegExp(g);
}

export function recallCorpus(seed: number, tries = 60): { planted: Planted[]; ungenerated: string[] } {
  const planted: Planted[] = [];
  const ungenerated: string[] = [];
  for (const rule of GITLEAKS.rules) {
    const one = gitleaksRule({ ...GITLEAKS, rules: [rule] });
    let found: Planted | undefined;
    try {
      const arb = fc.stringMatching(generatorSource(rule.source, rule.flags));
      for (const s of fc.sample(arb, { numRuns: tries, seed })) {
        // Realistic text only: no control characters, no backslashes (the generator's own
        // escape alternatives would otherwise plant `\r` and `\"` in the sample itself).
        if (/[\x00-\x09\x0b-\x1f\x7f\\]/.test(s)) continue;
        const text = ` ${s} `;
        const out: Finding[] = [];
        one.scan(text, out);
        const f = out.find((x) => x.end - x.start >= 8 && !/[\s"'\\]/.test(text.slice(x.start, x.end)));
        if (f) {
          found = { rule: rule.id, sample: s.trim(), secret: text.slice(f.start, f.end) };
          break;
        }
      }
    } catch {
      // a construct the generator does not support
    }
    if (found) planted.push(found);
    else ungenerated.push(rule.id);
  }
  return { planted, ungenerated };
}
