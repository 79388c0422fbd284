/** The secretlint adapter on its own, without the hand-written rules that overlap it. */
import { describe, expect, it } from 'vitest';
import { createSecretlintScan } from '../../../src/policy/redact/secretlint.js';
import { privateKeys, prng, randomChars, secretCases } from './fixtures.js';

const scan = createSecretlintScan();
const r = prng(77);
const linear = `lin_api_${randomChars(r, 40)}`;
const npm = `npm_${randomChars(r, 36)}`;
const shopify = `shpat_${randomChars(r, 32)}`;

const found = (text: string): { type: string; text: string }[] =>
  scan(text).map((f) => ({ type: f.type, text: text.slice(f.start, f.end) }));

describe('secretlint adapter', () => {
  it("finds the preset's formats that have no hand-written rule", async () => {
    expect(await found(`LINEAR=${linear}\nNPM=${npm}\nSHOPIFY=${shopify}`)).toEqual([
      { type: 'linear-api-key', text: linear },
      { type: 'npm-token', text: npm },
      { type: 'shopify-token', text: shopify },
    ]);
  });

  it('ignores `secretlint-disable` comments in the scanned text', async () => {
    const text = `// secretlint-disable\n${linear}\n/* secretlint-disable-next-line */\n${npm}`;
    expect((await found(text)).map((f) => f.text)).toEqual([linear, npm]);
  });

  it("corrects the preset's AWS secret range to cover exactly the secret", async () => {
    // Ends in a letter: the preset's pattern needs a word boundary after the key.
    const secret = `${secretCases(40).awsSecretKey!.secret.slice(0, 39)}Q`;
    expect(await found(`aws_secret_access_key = ${secret}`)).toEqual([{ type: 'aws-secret-key', text: secret }]);
  });

  it('narrows connection-string and basic-auth URLs to their password', async () => {
    const [pw1, pw2] = [randomChars(r, 12), randomChars(r, 12)];
    const text = `mongodb+srv://app:${pw1}@cluster0.example.net/db and https://bob:${pw2}@example.org/x`;
    expect(await found(text)).toEqual([
      { type: 'basic-auth', text: pw1 },
      { type: 'basic-auth', text: pw2 },
    ]);
  });

  it('does not know these formats (the gaps the hand-written rules fill)', async () => {
    const c = secretCases(41);
    for (const name of [
      'awsAccessKey',
      'jwt',
      'google',
      'stripeLive',
      'bearer',
      'openaiProjectNoMarker',
      'anthropicOtherShape',
    ]) {
      expect(await found(c[name]!.inText), name).toEqual([]);
    }
    // An AWS secret key ending in `/`, `+` or `=` (its pattern wants a word boundary after it).
    expect(await found(`aws_secret_access_key = ${c.awsSecretKey!.secret.slice(0, 39)}/`)).toEqual([]);
    // `ENCRYPTED PRIVATE KEY` blocks, and ed25519 keys (body under its 100-character minimum).
    expect(await found(privateKeys().encrypted!)).toEqual([]);
    // A token right after a literal `\n` escape (its `(?<!\p{L})` boundary sees the `n`).
    expect(await found(JSON.stringify(`output:\n${c.githubClassic!.secret}`))).toEqual([]);
    expect(await found(privateKeys().ed25519!)).toEqual([]);
  });
});
