import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { testSeed } from '../../helpers/seed.js';
import { Recorder } from '../../../src/log/recorder.js';
import { RedactMemo } from '../../../src/log/redact-memo.js';
import type { Sink } from '../../../src/log/sink.js';
import { createRedactor } from '../../../src/policy/redact/index.js';
import type { Redactor } from '../../../src/policy/redact/types.js';

const redactor = createRedactor({ key: Buffer.alloc(32, 7) });
const SECRET = `sk-ant-api03-${'Zq8'.repeat(30)}AA`;

/** The redactor, with what each of its calls was given. */
function counting() {
  const headers: Record<string, string>[] = [];
  const urls: string[] = [];
  const spy: Redactor = {
    ...redactor,
    headers: (h) => {
      headers.push(h);
      return redactor.headers(h);
    },
    url: (u) => {
      urls.push(u);
      return redactor.url(u);
    },
  };
  return { spy, headers, urls };
}

const responseHeaders = (turn: number, extra: Record<string, string> = {}) => ({
  'content-type': 'text/event-stream; charset=utf-8',
  'anthropic-organization-id': 'org-0123456789',
  date: `Wed, 02 Dec 2026 15:10:${String(turn).padStart(2, '0')} GMT`,
  'request-id': `req_01HEc3RJNHTgRAoggqKUVA${turn}`,
  ...extra,
});

describe('RedactMemo (issue 13: what comes back every turn is scanned once)', () => {
  it("scans a response's headers only where they changed, and its URL once, over a session's turns", () => {
    const { spy, headers, urls } = counting();
    const written: Record<string, unknown>[] = [];
    const sink: Sink = {
      file: 'memory',
      muted: false,
      write: (event, body) => written.push({ event, ...body }),
      flushSync() {},
    };
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor: spy });
    const url = 'https://api.anthropic.com/v1/messages';
    for (let turn = 0; turn < 5; turn++)
      recorder.response({ id: `x${turn}`, status: 200, headers: responseHeaders(turn), url, ttfbMs: 1 });
    recorder.response({ id: 'x5', status: 200, headers: responseHeaders(5, { 'x-echo': SECRET }), url, ttfbMs: 1 });
    recorder.drainSync();
    expect(urls).toEqual([url]);
    // The first turn's four, then only the date and the request id; the secret is new, so it is scanned.
    expect(headers.map((h) => Object.keys(h).length)).toEqual([4, 2, 2, 2, 2, 3]);
    expect(headers.at(-1)).toHaveProperty('x-echo');
    const out = written.map((w) => w.headers as Record<string, string>);
    expect(out.at(-1)!['x-echo']).toMatch(/^\[REDACTED:/);
    expect(JSON.stringify(written)).not.toContain(SECRET);
    // Each as the redactor makes the whole set, in the order it came.
    for (const [turn, h] of out.entries())
      expect(JSON.stringify(h)).toBe(
        JSON.stringify(redactor.headers(responseHeaders(turn, turn === 5 ? { 'x-echo': SECRET } : {}))),
      );
  });

  it('gives what redacting each header set whole gives, for any sequence of sets', () => {
    const seed = testSeed();
    const name = fc.constantFrom('authorization', 'x-api-key', 'x-echo', 'date', 'Cookie', '__proto__', 'a\nb');
    const value = fc.oneof(
      fc.constantFrom(SECRET, `Bearer ${SECRET}`, 'text/plain', 'a', 'sk-ant-x', `k=${SECRET} tail`),
      fc.string({ maxLength: 40 }),
    );
    const set = fc.array(fc.tuple(name, value), { maxLength: 6 });
    fc.assert(
      fc.property(fc.array(set, { minLength: 1, maxLength: 8 }), (sets) => {
        const memo = new RedactMemo();
        for (const pairs of sets) {
          const headers: Record<string, string> = {};
          for (const [k, v] of pairs) Object.defineProperty(headers, k, { value: v, enumerable: true, writable: true });
          expect(JSON.stringify(memo.headers(redactor, headers))).toBe(JSON.stringify(redactor.headers(headers)));
        }
      }),
      { seed, numRuns: 60 },
    );
  });

  it('keys a header by its name as well as its value: a credential name never reuses what a plain one got', () => {
    const memo = new RedactMemo();
    expect(memo.headers(redactor, { 'x-trace': 'abcdefgh12345678' })['x-trace']).toBe('abcdefgh12345678');
    expect(memo.headers(redactor, { authorization: 'abcdefgh12345678' }).authorization).toMatch(/^\[REDACTED:/);
  });

  it('fails closed on a value that is not a string, as the redactor does', () => {
    const memo = new RedactMemo();
    expect(() => memo.headers(redactor, { a: 1 } as unknown as Record<string, string>)).toThrow(TypeError);
  });

  it('parses a URL once, and throws for what is not one', () => {
    const memo = new RedactMemo();
    expect(memo.address('http://127.0.0.1:4000/v1/messages')).toEqual({ hostname: '127.0.0.1', port: '4000' });
    expect(memo.address('https://api.anthropic.com/v1/messages')).toEqual({ hostname: 'api.anthropic.com', port: '' });
    expect(() => memo.address('not a url')).toThrow();
  });
});
