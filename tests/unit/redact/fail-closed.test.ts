import { describe, expect, it, vi } from 'vitest';

// The rule runner works for the start-up self-check, then breaks: every later call must throw
// rather than return text that only the hand-written rules looked at.
let calls = 0;
vi.mock('../../../src/policy/redact/secretlint-runner.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/policy/redact/secretlint-runner.js')>();
  return {
    ...real,
    createRuleRunner: (...args: Parameters<typeof real.createRuleRunner>) => {
      const run = real.createRuleRunner(...args);
      return (text: string) => {
        calls++;
        if (calls > 1) throw new Error('secretlint exploded');
        return run(text);
      };
    },
  };
});

const { createRedactor } = await import('../../../src/policy/redact/index.js');

describe('fail closed', () => {
  it('an error inside the scanner propagates from every entry point', () => {
    calls = 0;
    const r = createRedactor({ key: Buffer.alloc(32, 1) });
    // Text that holds one of the preset's keywords (`://`: basicauth), so the gate runs secretlint on it.
    expect(() => r.text('some text to scan: https://example.com')).toThrow(/exploded/);
    expect(() => r.value({ prompt: 'some text to scan: https://example.com' })).toThrow(/exploded/);
    expect(() => r.headers({ 'x-note': 'some text to scan: https://example.com' })).toThrow(/exploded/);
    expect(() => r.url('https://example.com/some/path')).toThrow(/exploded/);
    expect(r.stats.byType).toEqual({});
  });

  it('a scanner that cannot start fails creation', () => {
    expect(() => createRedactor({ key: Buffer.alloc(32, 1) })).toThrow(/exploded/);
  });
});
