import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import { agentRequest, privateKeys, secretCases } from './fixtures.js';

const KEY_A = Buffer.alloc(32, 1);
const KEY_B = Buffer.alloc(32, 2);
const tagsIn = (text: string): string[] =>
  [...text.matchAll(/\[REDACTED:[a-z0-9-]+:([0-9a-f]{8})\]/g)].map((m) => m[1]!);

describe('placeholder tags', () => {
  it('are the first 8 hex chars of HMAC-SHA256(key, secret)', async () => {
    const r = await createRedactor({ key: KEY_A });
    const gh = secretCases(20).githubClassic!.secret;
    const expected = createHmac('sha256', KEY_A).update(gh).digest('hex').slice(0, 8);
    expect(await r.text(`x ${gh} y`)).toBe(`x [REDACTED:github-token:${expected}] y`);
  });

  it('the same secret gets the same tag in two calls, in any context', async () => {
    const r = await createRedactor({ key: KEY_A });
    const c = secretCases(21).anthropic!;
    const first = tagsIn(JSON.stringify(await r.value(agentRequest({ prompt: c.inText }))));
    const second = tagsIn(JSON.stringify(await r.value(agentRequest({ toolResult: `KEY=${c.inText}` }))));
    const header = tagsIn((await r.headers({ 'x-api-key': c.secret }))['x-api-key']!);
    expect(first).toHaveLength(1);
    expect(second).toEqual(first);
    expect(header).toEqual(first);
    // A second redactor with the same key (another process, a restart) agrees.
    const again = await createRedactor({ key: Buffer.from(KEY_A) });
    expect(tagsIn(await again.text(c.inText))).toEqual(first);
  });

  it('different keys give different tags; different secrets give different tags', async () => {
    const a = await createRedactor({ key: KEY_A });
    const b = await createRedactor({ key: KEY_B });
    const s1 = secretCases(22).githubClassic!.secret;
    const s2 = secretCases(23).githubClassic!.secret;
    const [ta] = tagsIn(await a.text(s1));
    const [tb] = tagsIn(await b.text(s1));
    const [ta2] = tagsIn(await a.text(s2));
    expect(ta).not.toBe(tb);
    expect(ta).not.toBe(ta2);
  });

  it('the redactor keeps its own copy of the key', async () => {
    const key = Buffer.alloc(32, 9);
    const r = await createRedactor({ key });
    const gh = secretCases(24).githubClassic!.secret;
    const before = await r.text(gh);
    key.fill(0);
    expect(await r.text(gh)).toBe(before);
  });
});

describe('idempotence', () => {
  it('redacting the output again changes nothing, for every kind', async () => {
    const r = await createRedactor({ key: KEY_A });
    const c = secretCases(25);
    const text =
      Object.values(c)
        .map((x) => x.inText)
        .join('\n') +
      '\n' +
      privateKeys().rsaPkcs8;
    const once = await r.text(text);
    expect(await r.text(once)).toBe(once);
    const request = agentRequest({ prompt: text, toolResult: JSON.stringify({ text }), toolInput: c.jwt!.inText });
    const v1 = await r.value(request);
    expect(await r.value(v1)).toEqual(v1);
  });

  it('placeholders inside quotes or after key words are left alone', async () => {
    const r = await createRedactor({ key: KEY_A });
    for (const text of [
      'password: "[REDACTED:high-entropy:0123abcd]"',
      'Bearer [REDACTED:bearer-token:0123abcd]',
      'postgres://u:[REDACTED:basic-auth:0123abcd]@h/db',
      'https://h/?token=[REDACTED:url-param:0123abcd]&x=1',
    ]) {
      expect(await r.text(text)).toBe(text);
    }
  });
});

describe('stats', () => {
  it('counts replacements by type', async () => {
    const r = await createRedactor({ key: KEY_A });
    const c = secretCases(26);
    await r.text(`${c.githubClassic!.inText} and ${c.githubOAuth!.inText}`);
    await r.value({ a: c.jwt!.inText, b: [c.jwt!.inText] }); // the same string twice: two replacements
    await r.headers({ authorization: 'Bearer x', accept: '*/*' });
    await r.url('https://h.example/?sig=abcdef');
    expect(r.stats.byType).toEqual({ 'github-token': 2, jwt: 2, 'credential-header': 1, 'url-param': 1 });
  });
});
