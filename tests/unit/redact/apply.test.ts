import { describe, expect, it } from 'vitest';
import { applyFindings, mergeFindings } from '../../../src/policy/redact/apply.js';
import type { Finding } from '../../../src/policy/redact/finding.js';

const tagger = (secret: string, type: string): string =>
  `[REDACTED:${type}:${secret.length.toString(16).padStart(8, '0')}]`;
const f = (start: number, end: number, type = 'x', priority = 1): Finding => ({ start, end, type, priority });

describe('mergeFindings', () => {
  it('unions overlapping findings and keeps the highest-priority type', () => {
    expect(mergeFindings([f(5, 9, 'low', 1), f(0, 6, 'high', 9), f(12, 14)])).toEqual([f(0, 9, 'high', 9), f(12, 14)]);
  });

  it('keeps touching findings apart and drops empty ones', () => {
    expect(mergeFindings([f(3, 6), f(0, 3), f(7, 7)])).toEqual([f(0, 3), f(3, 6)]);
  });
});

describe('applyFindings', () => {
  it('replaces each finding and counts it', () => {
    const counts: Record<string, number> = {};
    expect(applyFindings('ab SECRET cd KEY', [f(3, 9, 's'), f(13, 16, 'k')], tagger, counts)).toBe(
      'ab [REDACTED:s:00000006] cd [REDACTED:k:00000003]',
    );
    expect(counts).toEqual({ s: 1, k: 1 });
  });

  it('never touches an existing placeholder, even inside a finding', () => {
    const text = 'x=[REDACTED:jwt:0123abcd]tail';
    const counts: Record<string, number> = {};
    expect(applyFindings(text, [f(2, text.length, 'y')], tagger, counts)).toBe(
      'x=[REDACTED:jwt:0123abcd][REDACTED:y:00000004]',
    );
    expect(applyFindings('[REDACTED:jwt:0123abcd]', [f(0, 23)], tagger, {})).toBe('[REDACTED:jwt:0123abcd]');
  });

  it('returns the same string when there is nothing to do', () => {
    const text = 'nothing here';
    expect(applyFindings(text, [], tagger, {})).toBe(text);
  });
});
