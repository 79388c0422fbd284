/**
 * The shipped signatures over every request a real Claude Code sent in the captures of
 * tests/fixtures/claude-code/native/<version>/<mode>.json (2.1.112 cli.js, native 2.1.113 → 2.1.333; `-p` and the
 * TUI). Each request's expected mechanism comes from Claude Code's own `query_source` where its raw-body index
 * had one, and from the mock's view of the request (tests/fixtures/claude-code/script.ts) — never from the
 * signatures. Both must agree, and no request may stay `unclassified`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import { Classifier } from '../../../src/mechanisms/classify.js';
import { requestFacts } from '../../../src/mechanisms/request-facts.js';
import type { ExchangeFacts } from '../../../src/mechanisms/types.js';
import { shippedSets } from '../../../src/mechanisms/user-file.js';
import type { NativeFixture, NativeRequest } from '../../fixtures/claude-code/native/shape.js';
import { MECHANISM_OF_CALL, mechanismOfQuerySource } from '../../helpers/claude-code.js';
import { ROOT } from '../../helpers/run.js';

const DIR = join(ROOT, 'tests', 'fixtures', 'claude-code', 'native');
const BASE = 'http://127.0.0.1:8080';
const endpointOf = createEndpointMatcher([], { ANTHROPIC_BASE_URL: BASE });
const classifier = new Classifier(shippedSets());

const fixtures: NativeFixture[] = readdirSync(DIR, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(DIR, d.name))
      .filter((f) => f.endsWith('.json'))
      .map((f) => JSON.parse(readFileSync(join(DIR, d.name, f), 'utf8')) as NativeFixture),
  );

/**
 * The facts agenttap would have of this request, as an exchange (undefined: not an exchange at all). Thread
 * position as the report finds it (src/reports/threads.ts): a request continues a thread when an earlier one's
 * messages are a prefix of its own or it opens with the same first message.
 */
function factsOf(r: NativeRequest, earlier: readonly NativeRequest[]): ExchangeFacts | undefined {
  const match = endpointOf(r.method, new URL(r.path, BASE));
  if (!match) return undefined;
  if (!r.body)
    return {
      ...requestFacts({ method: r.method, endpoint: match.endpoint, path: r.path, headers: r.headers, body: {} }),
      hasBody: false,
      threadPosition: 'first',
    };
  const facts = requestFacts({
    method: r.method,
    endpoint: match.endpoint,
    path: r.path,
    headers: r.headers,
    body: r.body,
  });
  const keys = messageKeys(r);
  // src/reports/threads.ts: an earlier request's messages all a prefix of these, or the same first message.
  const continues = earlier.some((e) => {
    const k = messageKeys(e);
    return (
      k.length > 0 &&
      ((k.length < keys.length && k.every((x, i) => x === keys[i])) || (keys.length > 1 && k[0] === keys[0]))
    );
  });
  return { ...facts, threadPosition: continues ? 'continues' : 'first' };
}

/** As the report compares messages: a string content equals its one text block. */
const messageKeys = (r: NativeRequest): string[] =>
  Array.isArray(r.body?.messages)
    ? (r.body.messages as { role: string; content: unknown }[]).map((m) =>
        JSON.stringify([m.role, typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content]),
      )
    : [];

test('the captures cover the native line: first native release, versions between, the pinned one and the newest', () => {
  const versions = new Set(fixtures.map((f) => f.version));
  for (const v of ['2.1.113', '2.1.330', '2.1.333']) expect(versions).toContain(v);
  expect(versions.size).toBeGreaterThanOrEqual(5);
  // Claude Code labels its own calls from 2.1.274 on: those captures must carry the labels.
  for (const f of fixtures.filter((x) => x.version >= '2.1.274')) {
    expect(f.requests.filter((r) => r.query_source !== undefined).length, `${f.version} ${f.mode}`).toBeGreaterThan(
      f.requests.length / 2,
    );
  }
});

test("every request is an exchange of agenttap's, the TUI's warm-up of 2.1.274+ (`HEAD /api/hello`) too", () => {
  const missed = fixtures.flatMap((f) =>
    f.requests.filter((r) => !endpointOf(r.method, new URL(r.path, BASE))).map((r) => `${r.method} ${r.path}`),
  );
  expect(missed).toEqual([]);
});

describe.each(fixtures.map((f) => [`${f.version} ${f.mode}`, f] as const))('Claude Code %s', (_name, fixture) => {
  const exchanges = fixture.requests
    .map((r, i) => ({ r, i, facts: factsOf(r, fixture.requests.slice(0, i)) }))
    .filter((x) => x.facts !== undefined);

  test.each(exchanges.map((x) => [`#${x.i} ${x.r.scenario} ${x.r.query_source ?? x.r.oracle}`, x] as const))(
    '%s',
    (_label, { r, facts }) => {
      const expected = MECHANISM_OF_CALL[r.oracle];
      expect(expected, `the mock's view names request ${r.oracle}`).toBeDefined();
      if (r.query_source !== undefined) {
        expect(
          mechanismOfQuerySource(r.query_source, r.oracle),
          `query_source ${r.query_source} vs the mock's view ${r.oracle}`,
        ).toBe(expected);
      }
      const c = classifier.classify(facts!, { agent: 'claude-code', version: fixture.version });
      expect(c.mechanism, c.reasons.join('\n')).toBe(expected);
      expect(c.agent).toBe('claude-code');
      if (r.method === 'POST') expect(c.agentVersion).toBe(fixture.version);
    },
  );
});
