import { beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';
import { secretCases } from './fixtures.js';

const TAG = '[0-9a-f]{8}';
let redactor: Redactor;
beforeAll(async () => {
  redactor = await createRedactor({ key: Buffer.alloc(32, 3) });
});

describe('headers()', () => {
  const s = secretCases(11);

  it('replaces credential headers by name, keeping the auth scheme', async () => {
    const out = await redactor.headers({
      Authorization: `Bearer ${s.anthropic!.secret}`,
      'X-Api-Key': s.anthropic!.secret,
      Cookie: 'session=abc123; theme=dark',
      'proxy-authorization': `Basic ${Buffer.from('user:pass').toString('base64')}`,
      'x-goog-api-key': s.google!.secret,
      'api-key': 'azure-key-1234',
      'x-amz-security-token': 'FwoGZXIvYXdzEJr',
      'x-auth-token': 't',
    });
    expect(out.Authorization).toMatch(new RegExp(`^Bearer \\[REDACTED:credential-header:${TAG}\\]$`));
    expect(out['proxy-authorization']).toMatch(new RegExp(`^Basic \\[REDACTED:credential-header:${TAG}\\]$`));
    for (const name of ['X-Api-Key', 'Cookie', 'x-goog-api-key', 'api-key', 'x-amz-security-token', 'x-auth-token']) {
      expect(out[name]).toMatch(new RegExp(`^\\[REDACTED:credential-header:${TAG}\\]$`));
    }
    expect(JSON.stringify(out)).not.toContain(s.anthropic!.secret);
  });

  it('treats names containing token/secret/password/api-key as credentials, but not rate-limit counters', async () => {
    const out = await redactor.headers({
      'X-CSRF-Token': 'abc',
      'x-client-secret': 'abc',
      'x-db-password': 'abc',
      'anthropic-api-key': 'abc',
      'x-forwarded-authorization': 'Bearer abc',
      'set-cookie': 'id=1',
      'anthropic-ratelimit-tokens-remaining': '39000',
      'x-ratelimit-remaining-tokens': '149984',
      'openai-organization': 'org-abc123',
      'access-control-allow-credentials': 'true',
      'content-type': 'application/json',
      'user-agent': 'Anthropic/JS 0.40.0',
    });
    for (const name of ['X-CSRF-Token', 'x-client-secret', 'x-db-password', 'anthropic-api-key', 'set-cookie']) {
      expect(out[name], name).toMatch(/^\[REDACTED:credential-header:/);
    }
    expect(out['anthropic-ratelimit-tokens-remaining']).toBe('39000');
    expect(out['x-ratelimit-remaining-tokens']).toBe('149984');
    expect(out['openai-organization']).toBe('org-abc123');
    expect(out['access-control-allow-credentials']).toBe('true');
    expect(out['content-type']).toBe('application/json');
    expect(out['user-agent']).toBe('Anthropic/JS 0.40.0');
  });

  it('keeps names, their case and their order', async () => {
    const input = { 'Content-Type': 'a', Authorization: 'Bearer x', 'X-Trace': 'b' };
    const out = await redactor.headers(input);
    expect(Object.keys(out)).toEqual(['Content-Type', 'Authorization', 'X-Trace']);
    expect(input.Authorization).toBe('Bearer x'); // input untouched
  });

  it('is idempotent and tags the credential, not the scheme', async () => {
    const once = await redactor.headers({ authorization: `Bearer ${s.githubClassic!.secret}` });
    expect(await redactor.headers(once)).toEqual(once);
    const inText = await redactor.text(`Bearer ${s.githubClassic!.secret}`);
    // Same secret ⇒ same tag, whether it came in a header or in text.
    expect(once.authorization!.slice(-10)).toBe(inText.slice(-10));
  });

  it('fails closed on a non-string value', async () => {
    const bad = { 'set-cookie': ['a=1'] } as unknown as Record<string, string>;
    expect(() => redactor.headers(bad)).toThrow(TypeError);
  });

  it('leaves an empty credential header empty', async () => {
    expect(await redactor.headers({ authorization: '' })).toEqual({ authorization: '' });
  });
});

describe('url()', () => {
  it('redacts secret query parameters and keeps the rest byte-identical', async () => {
    const url = 'https://api.example.com/v1/x?b=%2Fkeep%20me&API_KEY=k123&Token=t456&z=1&code=c789&a=b+c';
    const out = await redactor.url(url);
    expect(out).toMatch(
      new RegExp(
        `^https://api\\.example\\.com/v1/x\\?b=%2Fkeep%20me&API_KEY=\\[REDACTED:url-param:${TAG}\\]` +
          `&Token=\\[REDACTED:url-param:${TAG}\\]&z=1&code=\\[REDACTED:url-param:${TAG}\\]&a=b\\+c$`,
      ),
    );
  });

  it('covers every listed parameter name, case-insensitively and percent-encoded', async () => {
    const names = [
      'key',
      'api_key',
      'apikey',
      'api-key',
      'token',
      'access_token',
      'refresh_token',
      'id_token',
      'sig',
      'signature',
      'X-Amz-Signature',
      'X-Amz-Credential',
      'X-Amz-Security-Token',
      'password',
      'secret',
      'client_secret',
      'code',
      'api%5Fkey',
    ];
    for (const name of names) {
      const out = await redactor.url(`https://h.example/p?${name}=v4lue&keep=1`);
      expect(out, name).toMatch(new RegExp(`\\?${name}=\\[REDACTED:url-param:${TAG}\\]&keep=1$`));
    }
  });

  it('redacts a userinfo password, keeping the user', async () => {
    const out = await redactor.url('https://deploy:' + 's3cr3t-pw' + '@git.example.com:8443/repo.git?ref=main#L10');
    expect(out).toMatch(
      new RegExp(
        `^https://deploy:\\[REDACTED:basic-auth:${TAG}\\]@git\\.example\\.com:8443/repo\\.git\\?ref=main#L10$`,
      ),
    );
  });

  it('redacts token parameters in the fragment (OAuth implicit flow)', async () => {
    const out = await redactor.url('https://app.example/cb#access_token=abc.def&token_type=bearer&state=xyz');
    expect(out).toMatch(
      new RegExp(`^https://app\\.example/cb#access_token=\\[REDACTED:url-param:${TAG}\\]&token_type=bearer&state=xyz$`),
    );
  });

  it('uses the specific type when a parameter holds a known key format', async () => {
    const google = secretCases(12).google!.secret;
    const out = await redactor.url(`https://maps.example.com/api?key=${google}&size=2`);
    expect(out).toMatch(new RegExp(`\\?key=\\[REDACTED:google-api-key:${TAG}\\]&size=2$`));
  });

  it('scans the rest of the URL for content secrets (tokens in the path)', async () => {
    const gh = secretCases(13).githubClassic!.secret;
    const out = await redactor.url(`https://${gh}@github.com/acme/repo.git`);
    expect(out).not.toContain(gh);
  });

  it('leaves ordinary URLs alone, and is idempotent', async () => {
    for (const url of [
      'https://api.anthropic.com/v1/messages',
      'https://api.openai.com/v1/chat/completions?stream=true',
      '/v1/messages?beta=true',
      'https://example.com/a?key=&token',
      'https://example.com/%E2%82%AC?q=a%20b#frag',
    ]) {
      expect(await redactor.url(url)).toBe(url);
    }
    const once = await redactor.url('https://u:' + 'p4ss' + '@h.example/p?sig=abc&x=1#id_token=zzz');
    expect(await redactor.url(once)).toBe(once);
  });
});
