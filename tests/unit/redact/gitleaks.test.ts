import { describe, expect, it } from 'vitest';
import { goRegexToJs } from '../../../scripts/lib/go-regex.mjs';
import type { Finding } from '../../../src/policy/redact/finding.js';
import { compileRule, escapeAwareDots, gitleaksRule } from '../../../src/policy/redact/gitleaks.js';
import { createRedactor } from '../../../src/policy/redact/index.js';
import { createKeywordIndex } from '../../../src/policy/redact/keywords.js';
import { GITLEAKS } from '../../../src/policy/redact/rules/gitleaks/rules.js';
import type { GitleaksData } from '../../../src/policy/redact/rules/gitleaks/types.js';
import { prng, randomChars } from './fixtures.js';

const HEX = '0123456789abcdef';
const r = prng(11);

describe('the generated gitleaks rule set', () => {
  it.each(GITLEAKS.rules.map((rule) => [rule.id, rule] as const))('%s compiles as JavaScript', (_id, rule) => {
    expect(() => compileRule(rule)).not.toThrow();
  });

  it('names its upstream and accounts for every upstream rule (kept or skipped with a reason)', () => {
    expect(GITLEAKS.upstream.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(GITLEAKS.upstream.license).toBe('MIT');
    const ids = [...GITLEAKS.rules.map((x) => x.id), ...GITLEAKS.skipped.map((x) => x.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(GITLEAKS.rules.length).toBeGreaterThanOrEqual(200);
    for (const s of GITLEAKS.skipped) expect(s.reason.length).toBeGreaterThan(10);
    // Every rule but one upstream has keywords: the prefilter is what keeps the cost flat.
    expect(GITLEAKS.rules.filter((x) => x.keywords.length === 0).length).toBeLessThanOrEqual(2);
  });

  it('a rule that no longer compiles fails loudly, naming the rule', () => {
    expect(() => compileRule({ id: 'broken', source: '([a-z]', flags: '', keywords: ['x'] })).toThrow(/broken/);
  });
});

describe('Go RE2 to JavaScript', () => {
  const js = (p: string): RegExp => {
    const { source, flags } = goRegexToJs(p);
    return new RegExp(source, flags);
  };

  it('a mid-pattern (?i) covers the rest of its group, across its alternatives', () => {
    const re = js(String.raw`\b(LTAI(?i)[a-z0-9]{4}|x(?i)yz)\b`);
    expect(re.test('LTAIAbC1')).toBe(true);
    expect(re.test('ltaiabc1')).toBe(false); // the prefix before (?i) stays case-sensitive
    expect(re.test('xYZ')).toBe(true);
  });

  it('(?-i:…) inside a case-insensitive pattern stays case-sensitive', () => {
    const re = js('(?i)key(?-i:[Aa]pi|API)');
    expect(re.test('KEYapi')).toBe(true);
    expect(re.test('KEYaPI')).toBe(false);
  });

  it('POSIX classes, \\z, (?s:.) and a leading ] in a class', () => {
    expect(js('^pat[[:alnum:]]{3}\\z').test('patA1b')).toBe(true);
    expect(js('^pat[[:alnum:]]{3}\\z').test('patA1b\n')).toBe(false);
    expect(js('a(?s:.)b').test('a\nb')).toBe(true);
    expect(js('^[^]]+$').test('abc')).toBe(true);
    expect(js('^[^]]+$').test('a]c')).toBe(false);
  });

  it('refuses what it does not know instead of guessing', () => {
    expect(() => goRegexToJs(String.raw`\pL+`)).toThrow();
    expect(() => goRegexToJs('(?U)a+')).toThrow();
  });
});

describe('keyword index', () => {
  it('finds every group with a keyword, overlapping and case-insensitive, each once', () => {
    const index = createKeywordIndex([['he'], ['she'], ['hers'], ['zzz'], ['ab', 'HIS']]);
    expect(index.find('uSHErs and this é his').sort()).toEqual([0, 1, 2, 4]);
    expect(index.find('')).toEqual([]);
    expect(index.find('nothing here... wait').sort()).toEqual([0]);
  });

  it('a rule whose keyword is absent does not run', () => {
    const data: GitleaksData = {
      upstream: { repository: 'x', version: 'x', commit: '0'.repeat(40), license: 'MIT' },
      rules: [{ id: 'needs-kw', source: 'secret-[0-9]{4}', flags: '', keywords: ['acme'] }],
      skipped: [],
    };
    const rule = gitleaksRule(data);
    const scan = (text: string): Finding[] => {
      const out: Finding[] = [];
      rule.scan(text, out);
      return out;
    };
    expect(scan('secret-1234')).toEqual([]);
    expect(scan('ACME secret-1234').map((f) => f.type)).toEqual(['needs-kw']);
  });
});

describe("provider tokens only gitleaks's rules know, through the redactor", () => {
  const redactor = createRedactor({ key: Buffer.alloc(32, 3) });
  const twilio = `SK${randomChars(r, 32, HEX)}`;
  const databricks = `dapi${randomChars(r, 32, HEX)}`;

  it.each([
    ['Twilio API key in prose', `use ${twilio} for sms`, twilio],
    ['Twilio API key in JSON', JSON.stringify({ sid: twilio }), twilio],
    ['Databricks token in a URL path', `https://adb-1.azuredatabricks.net/api/${databricks}/jobs`, databricks],
  ])('%s', (_name, text, secret) => {
    expect(redactor.text(text)).not.toContain(secret);
    expect(redactor.url(text)).not.toContain(secret);
  });
});

describe('upstream dots in JSON text', () => {
  it('a lone dot outside a class also takes one JSON escape; escaped, class and quantified dots stay', () => {
    expect(escapeAwareDots('a.b')).toBe('a(?:\\\\["\\\\/bfnrt]|.)b');
    expect(escapeAwareDots('a\\.b[.x]c.{0,3}d.*e.+f.?')).toBe('a\\.b[.x]c.{0,3}d.*e.+f.?');
    expect(escapeAwareDots('[\\].]x')).toBe('[\\].]x');
  });

  it('a Mailchimp key after "MailchimpSDK<quote>initialize" is found in the JSON body as sent (recall seed 914337144)', async () => {
    const key = 'aAdeB87F19A94FB23cCae3b2eCfdAFB1-uS18';
    const sample = `Hs#4MAilCHImpsdK"INItialIzE ":\`="${key}]$;kz&`;
    const redactor = await createRedactor({ key: Buffer.alloc(32, 7) });
    const body = JSON.stringify({ config: { value: sample } });
    expect(redactor.text(body)).not.toContain(key);
  });
});
