import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';
import { privateKeys, secretCases } from './fixtures.js';

let redactor: Redactor;
beforeAll(async () => {
  redactor = await createRedactor({ key: Buffer.alloc(32, 5) });
});

const cases = Object.entries(secretCases(31));
const pem = privateKeys().rsaPkcs8!;

/** Pieces that sit on or near rule boundaries, to build nasty text from. */
const tricky = fc.constantFrom(
  ' ',
  '\n',
  '\t',
  '\0',
  '\n\0\n',
  '\\n',
  '\\',
  '"',
  "'",
  '`',
  '=',
  ':',
  '@',
  '/',
  '?',
  '&',
  '#',
  '.',
  '_',
  '-',
  'token',
  'password=',
  'api_key: ',
  'Bearer ',
  'Basic ',
  'https://',
  'user:',
  '?token=',
  '&sig=',
  '-----BEGIN ' + 'PRIVATE KEY-----',
  '-----END ' + 'PRIVATE KEY-----',
  'MII',
  'eyJhbGciOi',
  '.eyJzdWIi.',
  'AKIA',
  'ghp_',
  'sk-ant-',
  'sk-',
  'xoxb-',
  'AIza',
  '[REDACTED:jwt:0123abcd]',
  '[REDACTED:',
  ']',
  'secretlint-disable',
);
const secretText = fc.constantFrom(...cases.map(([, c]) => c.inText), pem, JSON.stringify(pem));
const anyString = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));
const nastyText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: tricky },
      { weight: 2, arbitrary: anyString },
      { weight: 1, arbitrary: secretText },
    ),
    {
      maxLength: 25,
    },
  )
  .map((parts) => parts.join(''));

describe('properties', () => {
  it('redaction is idempotent', async () => {
    await fc.assert(
      fc.asyncProperty(nastyText, async (text) => {
        const once = await redactor.text(text);
        expect(await redactor.text(once)).toBe(once);
      }),
      { numRuns: 400 },
    );
  });

  it('a planted secret never survives, whatever text surrounds it', async () => {
    const boundary = fc.constantFrom(' ', '\n', '\t', '"', "'", '(', ',', '\n\0\n', '\\n');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...cases),
        anyString,
        boundary,
        boundary,
        anyString,
        async ([, c], before, open, close, after) => {
          const out = await redactor.text(before + open + c.inText + close + after);
          expect(out).not.toContain(c.secret);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('batching is invisible: redacting an array equals redacting each string alone', async () => {
    // The scanner joins strings with a separator; no rule may match across it.
    await fc.assert(
      fc.asyncProperty(fc.array(nastyText, { maxLength: 8 }), async (texts) => {
        const batched = await redactor.value(texts);
        const alone = await Promise.all(texts.map((t) => redactor.text(t)));
        expect(batched).toEqual(alone);
      }),
      { numRuns: 300 },
    );
  });

  it('the input is never mutated', async () => {
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), secretText, async (json, secret) => {
        const input = { json, planted: secret };
        const before = JSON.stringify(input);
        await redactor.value(input);
        expect(JSON.stringify(input)).toBe(before);
      }),
      { numRuns: 200 },
    );
  });
});
