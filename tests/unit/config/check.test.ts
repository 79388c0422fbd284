/**
 * The start-up path's hand check (src/config/check.ts) and the zod schema agree: on generated configs — valid,
 * near-valid and wrong — whatever the check accepts, zod accepts with the same value (defaults included); whatever
 * zod refuses, the check refuses. The check may refuse a valid config (load.ts then asks zod): that only costs time,
 * and the test counts how often it happens on valid input to keep it rare.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkConfig } from '../../../src/config/check.js';
import { defaultConfig } from '../../../src/config/defaults.js';
import { ConfigSchema } from '../../../src/config/schema.js';

/** Values near each field's edges, plus anything JSON can hold. */
const oddValue = fc.oneof(
  fc.constantFrom('', '/', 'x', '/v1', '.hidden', '-dash', 'a/b', 'A', 'join', 'off', 'on', 'auto', 'Join'),
  fc.constantFrom(0, -1, 1, 1.5, 2 ** 53, 2 ** 53 - 1, Number.POSITIVE_INFINITY, Number.NaN, true, false, null),
  fc.constantFrom([], {}, [{}], [{ host: '' }], [{ path: 'v1' }], { maxBodyBytes: 0 }),
  fc.jsonValue({ maxDepth: 2 }),
);

/** Mostly the right kind of value (so that valid configs come up), sometimes an odd one. */
const or = <T>(right: fc.Arbitrary<T>, odd: fc.Arbitrary<unknown> = oddValue) =>
  fc.oneof({ arbitrary: right, weight: 12 }, { arbitrary: odd, weight: 1 });

const sessionId = or(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{0,10}$/), fc.string({ maxLength: 6 }));
const endpoint = fc.record(
  { host: or(fc.constantFrom('llm.example', 'gw.internal')), path: or(fc.constantFrom('/api', '/v1/generate')) },
  { requiredKeys: [] },
);
const pattern = fc.record(
  {
    name: or(fc.constantFrom('internal-token', 'x9'), fc.constantFrom('Bad_Name', '')),
    pattern: or(fc.constantFrom('itk_[a-z0-9]{32}', 'tok-[A-F0-9]{8}'), fc.constantFrom('(a+)+$', '[', '')),
    flags: or(fc.constantFrom('i', 'u', ''), fc.constantFrom('y', 'q', 'gg')),
  },
  { requiredKeys: ['name', 'pattern'] },
);

/** A config-shaped object: each field absent, right, or odd; sometimes an unknown key. */
const config = fc
  .record(
    {
      enabled: or(fc.boolean()),
      dir: or(fc.constantFrom('.agenttap/sessions', 'logs')),
      session: sessionId,
      children: or(fc.constantFrom('join', 'off')),
      endpoints: or(fc.array(endpoint, { maxLength: 3 })),
      capture: or(
        fc.record(
          {
            maxBodyBytes: or(fc.integer({ min: -2, max: 1 << 30 })),
            blobMinBytes: or(fc.integer({ min: -2, max: 4096 })),
          },
          { requiredKeys: [] },
        ),
      ),
      redact: or(
        fc.record(
          {
            keyFile: or(fc.constantFrom('/k', 'key')),
            patterns: or(fc.array(pattern, { maxLength: 2 })),
            highEntropy: or(fc.boolean()),
          },
          { requiredKeys: [] },
        ),
      ),
      sdk: or(fc.constantFrom('auto', 'on', 'off')),
      rules: or(fc.constantFrom('rules.json', 'r.yaml')),
      dryRun: or(fc.boolean()),
      prices: or(fc.constantFrom('prices.json')),
      sdkPackages: or(
        fc.array(fc.constantFrom('openai-v4', '@scope/pkg'), { maxLength: 2 }),
        fc.array(fc.constantFrom('Bad Name', '', '@x/'), { minLength: 1, maxLength: 2 }),
      ),
      debug: or(fc.boolean()),
    },
    { requiredKeys: [] },
  )
  .chain((c) => or(fc.constant(null), oddValue).map((odd) => (odd === null ? c : { ...c, unknownKey: odd })))
  .map((c) => JSON.parse(JSON.stringify(c)) as unknown); // as a config file would read: JSON only

describe('config hand check vs zod schema', () => {
  it('never accepts what zod refuses, and accepts with the same value', () => {
    let valid = 0;
    let wary = 0;
    fc.assert(
      fc.property(config, (input) => {
        const zod = ConfigSchema.safeParse(input);
        const checked = checkConfig(input);
        if (!zod.success) expect(checked).toBeUndefined();
        else {
          valid++;
          if (checked === undefined) wary++;
          else expect(checked).toEqual(zod.data);
        }
      }),
      { numRuns: 2000, seed: 13 },
    );
    expect(valid).toBeGreaterThan(100); // the generator reaches valid configs, not only errors
    expect(wary).toBe(0); // on these, the hand check is never the reason zod loads
  });

  it('fills the same defaults as the schema, and as defaults.ts', () => {
    expect(checkConfig({})).toEqual(ConfigSchema.parse({}));
    expect(checkConfig({})).toEqual(defaultConfig());
    expect(checkConfig({ capture: {}, redact: {} })).toEqual(ConfigSchema.parse({ capture: {}, redact: {} }));
  });

  it('refuses, for zod to name: an unknown or __proto__ key, a regex that can backtrack, an unsafe integer', () => {
    for (const input of [
      { nope: 1 },
      JSON.parse('{"__proto__": {"enabled": false}}'),
      { redact: { patterns: [{ name: 'x', pattern: '(a+)+$' }] } },
      { capture: { maxBodyBytes: 2 ** 53 } },
      { endpoints: [{}] },
      [],
      null,
    ]) {
      expect(checkConfig(input)).toBeUndefined();
      expect(ConfigSchema.safeParse(input).success).toBe(false);
    }
  });
});
