import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';
import { agentRequest, benignSamples, pemBody, privateKeys, secretCases } from './fixtures.js';

const KEY = Buffer.alloc(32, 7);
const placeholder = (type: string): RegExp => new RegExp(String.raw`\[REDACTED:${type}:[0-9a-f]{8}\]`);

let redactor: Redactor;
beforeAll(async () => {
  redactor = await createRedactor({ key: KEY });
});

const cases = Object.entries(secretCases(1));
// High-entropy values for the keyed rule, split so no scanner flags this file.
const HI = 'Xk9mP2vL' + '5nQ8wR3t';
const HI2 = `${HI}Z7yB`;

describe('each secret kind, wherever it is planted', () => {
  it.each(cases)('%s in a prompt string', async (_name, c) => {
    const out = JSON.stringify(await redactor.value(agentRequest({ prompt: `here: ${c.inText} thanks` })));
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(placeholder(c.type));
  });

  it.each(cases)('%s in a nested tool_result content string', async (_name, c) => {
    const out = JSON.stringify(await redactor.value(agentRequest({ toolResult: c.inText })));
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(placeholder(c.type));
  });

  it.each(cases)('%s in a tool_use input object', async (_name, c) => {
    const out = JSON.stringify(await redactor.value(agentRequest({ toolInput: c.inText })));
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(placeholder(c.type));
  });

  it.each(cases)('%s in an ordinary header value', async (_name, c) => {
    const out = await redactor.headers({ 'x-debug-note': `seen ${c.inText}`, 'content-type': 'application/json' });
    expect(out['x-debug-note']).not.toContain(c.secret);
    expect(out['x-debug-note']).toMatch(placeholder(c.type));
    expect(out['content-type']).toBe('application/json');
  });

  it.each(cases.filter(([, c]) => c.urlSafe))('%s inside a URL', async (_name, c) => {
    const out = await redactor.url(`https://api.example.com/v1/debug?q=${c.inText}&page=2`);
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(placeholder(c.type));
    expect(out.startsWith('https://api.example.com/v1/debug?q=')).toBe(true);
    expect(out.endsWith('&page=2')).toBe(true);
  });

  it.each(cases)('%s right after a literal \\n escape (JSON text inside a string)', async (_name, c) => {
    const out = await redactor.text(JSON.stringify({ log: `line one\n${c.inText}\nline three` }));
    expect(out).not.toContain(c.secret);
    expect(out).toMatch(placeholder(c.type));
  });

  it('keeps the text around a secret intact', async () => {
    const c = secretCases(2).githubClassic!;
    const out = await redactor.text(`export GITHUB_TOKEN=${c.secret}\necho done`);
    expect(out).toMatch(/^export GITHUB_TOKEN=\[REDACTED:github-token:[0-9a-f]{8}\]\necho done$/);
  });
});

describe('private keys', () => {
  const keys = Object.entries(privateKeys());

  it.each(keys)('%s as plain PEM', async (_name, pem) => {
    const out = await redactor.text(`key file:\n${pem}done`);
    expect(out).not.toContain(pemBody(pem).split('\n')[0]);
    expect(out).toMatch(/^key file:\n\[REDACTED:private-key:[0-9a-f]{8}\]\ndone$/);
  });

  it.each(keys)('%s with literal \\n escapes, in a JSON string inside a tool result', async (_name, pem) => {
    const serviceAccount = JSON.stringify({ type: 'service_account', private_key_id: 'abc123', private_key: pem });
    expect(serviceAccount).toContain('\\n'); // two characters, not a newline
    const request = agentRequest({ toolResult: `$ cat sa.json\n${serviceAccount}` });
    const out = JSON.stringify(await redactor.value(request));
    for (const line of pemBody(pem).split('\n')) expect(out).not.toContain(line);
    expect(out).toMatch(placeholder('private-key'));
    expect(out).toContain('private_key_id'); // only the key itself went
  });

  it('a PEM block escaped twice (JSON in JSON in a string)', async () => {
    const pem = privateKeys().rsaPkcs8!;
    const out = await redactor.text(JSON.stringify(JSON.stringify({ private_key: pem })));
    for (const line of pemBody(pem).split('\n')) expect(out).not.toContain(line);
  });

  it('a truncated PEM block (no END line) still loses its body', async () => {
    const pem = privateKeys().rsaPkcs1!;
    const truncated = pem.slice(0, Math.floor(pem.length / 2));
    const out = await redactor.text(`${truncated}... (output truncated)`);
    for (const line of pemBody(truncated).split('\n')) expect(out).not.toContain(line);
    expect(out).toMatch(/^\[REDACTED:private-key:[0-9a-f]{8}\]\.\.\. \(output truncated\)$/);
  });
});

describe('no false positives', () => {
  it.each(Object.entries(benignSamples()))('%s survives byte-identical', async (_name, text) => {
    expect(await redactor.text(text)).toBe(text);
  });

  it('a realistic request with only benign content comes back deep-equal', async () => {
    const b = benignSamples();
    const request = agentRequest({
      prompt: b.prose,
      toolResult: b.typescript + b.gitLog + b.hashes,
      toolInput: b.paths,
    });
    (request.messages as unknown[]).push({
      role: 'user',
      content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: b.dataUrl.slice(22) } }],
    });
    expect(await redactor.value(request)).toEqual(request);
  });

  it("real files: TypeScript's lib.es5.d.ts and the Anthropic SDK's type definitions", async () => {
    const modules = fileURLToPath(new URL('../../../node_modules/', import.meta.url));
    for (const file of ['typescript/lib/lib.es5.d.ts', '@anthropic-ai/sdk/resources/messages/messages.d.ts']) {
      const text = readFileSync(join(modules, file), 'utf8');
      expect(await redactor.text(text)).toBe(text);
    }
  });

  it('object keys are never redacted, numbers and booleans untouched', async () => {
    const value = { ['sk-' + 'ant-looking-key-name-0123456789']: 1, password: 42, token: true, nested: [null, 3.5] };
    expect(await redactor.value(value)).toEqual(value);
  });
});

describe('the keyed high-entropy rule', () => {
  it.each([
    ['env file', `DB_PASSWORD=${HI}`],
    ['yaml', `client_secret: ${HI2}`],
    ['json', `{"apiKey": "${HI2}"}`],
    ['escaped json', `{\\"access_token\\": \\"${HI2}\\"}`],
    ['python', `SECRET_KEY = '${HI}#Z7yB'`],
  ])('%s: the value goes', async (_name, text) => {
    const out = await redactor.text(text);
    expect(out).not.toContain(HI);
    expect(out).toMatch(placeholder('high-entropy'));
  });

  it.each([
    ['short', 'password=hunter2'],
    ['low entropy', 'token=aaaaaaaaaaaaaaaaaaaaaaaa'],
    ['env reference', 'apiKey: process.env.ANTHROPIC_API_KEY'],
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CI placeholder is the sample, not a template
    ['variable', 'secret: ${{ secrets.NPM_TOKEN }}'],
    ['identifier', 'const endToken = findPrecedingToken(file, pos);'],
    ['comparison', 'if (prevToken == null || prevToken === closeBraceToken) {'],
    ['placeholder text', 'OPENAI_API_KEY=your-openai-api-key-here'],
    ['path', 'secret: /run/secrets/postgres-password'],
    ['not a key word', 'max_tokens: 12345678901234567890'],
    ['prose', 'The token is rotated every 30 days and the password must be long.'],
  ])('%s stays', async (_name, text) => {
    expect(await redactor.text(text)).toBe(text);
  });

  it('a string stored under a credential-named key is redacted whole', async () => {
    const out = await redactor.value({ config: { password: `${HI}!`, user: 'deploy', apiKey: HI2 } });
    expect(out.config.password).toMatch(/^\[REDACTED:high-entropy:[0-9a-f]{8}\]$/);
    expect(out.config.apiKey).toMatch(/^\[REDACTED:high-entropy:[0-9a-f]{8}\]$/);
    expect(out.config.user).toBe('deploy');
  });

  it('can be switched off', async () => {
    const off = await createRedactor({ key: KEY, highEntropy: false });
    expect(await off.text(`DB_PASSWORD=${HI}`)).toBe(`DB_PASSWORD=${HI}`);
    expect(await off.value({ password: HI2 })).toEqual({ password: HI2 });
    // Format rules still apply.
    const gh = secretCases(3).githubClassic!;
    expect(await off.text(gh.inText)).toMatch(placeholder('github-token'));
  });
});

describe('secretlint integration', () => {
  it('leaves no performance marks behind (its global profiler would leak and slow down)', async () => {
    const before = performance.getEntriesByType('mark').length;
    for (let i = 0; i < 20; i++) await redactor.text(`some text to scan, call ${i}`);
    await new Promise((resolve) => setImmediate(resolve));
    expect(performance.getEntriesByType('mark').length).toBe(before);
  });

  it('a `secretlint-disable` comment in content does not switch redaction off', async () => {
    const gh = secretCases(4).githubClassic!;
    const out = await redactor.text(`// secretlint-disable\n${gh.inText}\n// secretlint-enable`);
    expect(out).not.toContain(gh.secret);
  });

  it("AWS secret keys: the value goes, the key name stays (the preset's range is off)", async () => {
    const c = secretCases(5).awsSecretKey!;
    const out = await redactor.text(`"AWS_SECRET_ACCESS_KEY": "${c.secret}"`);
    expect(out).toMatch(/^"AWS_SECRET_ACCESS_KEY": "\[REDACTED:aws-secret-key:[0-9a-f]{8}\]"$/);
  });

  it('database URLs lose only the password', async () => {
    const out = await redactor.text(`DATABASE_URL=postgres://app:${HI}@db.internal:5432/app?sslmode=require`);
    expect(out).toMatch(
      /^DATABASE_URL=postgres:\/\/app:\[REDACTED:basic-auth:[0-9a-f]{8}\]@db\.internal:5432\/app\?sslmode=require$/,
    );
  });

  it('a Slack incoming webhook URL', async () => {
    const url = 'https://hooks.slack.com/services/' + 'T0ABCD123/B0ABCD456/' + 'q2X8vY3mZ9wK1pL5nR7tB4cD';
    const out = await redactor.text(`webhook: ${url}`);
    expect(out).toMatch(/^webhook: \[REDACTED:slack-webhook:[0-9a-f]{8}\]$/);
  });
});

describe('value()', () => {
  it('returns a deep copy and never mutates the input', async () => {
    const c = secretCases(6);
    const input = agentRequest({ prompt: c.anthropic!.inText, toolResult: c.jwt!.inText, toolInput: c.google!.inText });
    const snapshot = structuredClone(input);
    const deepFreeze = (v: unknown): void => {
      if (v && typeof v === 'object') {
        Object.freeze(v);
        Object.values(v).forEach(deepFreeze);
      }
    };
    deepFreeze(input);
    const out = await redactor.value(input);
    expect(input).toEqual(snapshot);
    expect(out).not.toBe(input);
    expect(out.messages).not.toBe(input.messages);
    expect(JSON.stringify(out)).not.toContain(c.anthropic!.secret);
  });

  it('redacts a bare string and strings in arrays', async () => {
    const gh = secretCases(7).githubClassic!;
    expect(await redactor.value(gh.secret)).toMatch(/^\[REDACTED:github-token:[0-9a-f]{8}\]$/);
    const out = await redactor.value(['a', gh.secret, 3]);
    expect(out[0]).toBe('a');
    expect(out[1]).toMatch(placeholder('github-token'));
    expect(out[2]).toBe(3);
  });

  it('copies a `__proto__` key as data, without touching the prototype', async () => {
    const input = JSON.parse('{"__proto__": {"polluted": "ghp-looking"}, "a": 1}') as Record<string, unknown>;
    const out = await redactor.value(input);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
    expect(Object.keys(out)).toEqual(['__proto__', 'a']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('follows toJSON like JSON.stringify (a Buffer or Date is what gets logged)', async () => {
    const gh = secretCases(8).githubClassic!;
    const out = await redactor.value({ when: new Date(0), body: { toJSON: () => ({ text: gh.inText }) } });
    expect(out).toEqual({
      when: '1970-01-01T00:00:00.000Z',
      body: { text: expect.stringMatching(placeholder('github-token')) },
    });
  });

  it('fails closed on a cycle', async () => {
    const a: Record<string, unknown> = { x: 'text' };
    a.self = a;
    expect(() => redactor.value(a)).toThrow(/cycle/);
  });

  it('refuses a string that never reaches a fixed point instead of returning it half-done', async () => {
    // Each pass, secretlint's GitHub rule peels 40 characters off the end of this run.
    const pathological = `x${('gh' + 'p_').repeat(200)}`;
    expect(() => redactor.text(pathological)).toThrow(/converge/);
  });

  it('extra user patterns become their own type', async () => {
    const custom = await createRedactor({
      key: KEY,
      extraPatterns: [{ name: 'Internal Ticket Token', pattern: 'itk_[a-z0-9]{12}', flags: 'i' }],
    });
    const out = await custom.text('use ITK_ab12cd34ef56 please');
    expect(out).toMatch(/^use \[REDACTED:internal-ticket-token:[0-9a-f]{8}\] please$/);
    expect(await custom.text(out)).toBe(out);
  });

  it('rejects a bad user pattern or a short key at creation', async () => {
    expect(() => createRedactor({ key: KEY, extraPatterns: [{ name: 'bad', pattern: '(' }] })).toThrow();
    expect(() => createRedactor({ key: new Uint8Array(4) })).toThrow(/key/);
  });
});
