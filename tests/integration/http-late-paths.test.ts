/**
 * The requests the http tap cannot see at http.Agent's `addRequest` (src/tap/http-patch.ts): without an agent (their
 * own `createConnection`) or through an agent with its own `addRequest`. On Node < 22.14 the loader patches
 * `ClientRequest.prototype.onSocket` only once a ClientRequest exists (node:http's client module is not loaded at
 * start, issue 13): the process's first such request goes unrecorded, the ones after it are recorded with their body,
 * and the agent gets the same answers either way. Node ≥ 22.14 sees every one (the `created` channel). And the patch
 * itself waits for the agent's first use of http (not loaded at start): a first request made right away, from a
 * require(), process.getBuiltinModule or an ESM agent's first module, is recorded with its body.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { hasCreatedChannel } from '../../src/tap/http-patch.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

describe('http tap: requests that skip http.Agent', () => {
  it('after the first one, each is recorded with its body; the agent sees the same answers', async () => {
    const app = join(ROOT, 'tests/fixtures/apps/http-late-paths.mjs');
    const plain = await runNode(app, { loader: false, env: { HTTP_URL: mock.url } });
    const tapped = await runNode(app, { env: { HTTP_URL: mock.url } });
    expect(tapped.stderr).toBe('');
    expect(tapped.code).toBe(0);
    expect(tapped.stdout).toBe(plain.stdout);
    expect(plain.stdout).toBe('no-agent-first 200\nno-agent-second 200\nown-agent 200\n');

    const requests = eventsOf(await sessionEvents(tapped.sessionDir), 'exchange.request');
    const calls = requests.map((r) => new URL(r['url.full']).searchParams.get('call'));
    expect(calls).toEqual([...(hasCreatedChannel() ? ['no-agent-first'] : []), 'no-agent-second', 'own-agent']);
    for (const r of requests) expect(r.body_bytes, String(r['url.full'])).toBe(89);
  });

  for (const [how, app] of [
    ['require', 'http-first-request.cjs'],
    ['builtin', 'http-first-request.cjs'],
    ['esm', 'http-first-request.mjs'],
  ] as const)
    it(`the process's first request, made at once (${how}), is recorded with its body`, async () => {
      const run = await runNode(join(ROOT, 'tests/fixtures/apps', app), { env: { HTTP_URL: mock.url, HOW: how } });
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe(`${how} 200\n`);
      const requests = eventsOf(await sessionEvents(run.sessionDir), 'exchange.request');
      expect(requests.map((r) => [new URL(r['url.full']).searchParams.get('call'), r.body_bytes])).toEqual([[how, 89]]);
    });
});
