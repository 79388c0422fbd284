/**
 * The fetch tap through the one rewrite seam (src/policy/rewrite/apply.ts): the rules see the agent's body parsed
 * once, the rewritten body and the headers an action set go out (with their own content-length), and the decision
 * is logged against the exchange before its request record; a rules step that throws leaves the request untouched.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEndpointMatcher } from '../../../src/exchange/endpoints.js';
import type { RulesStep } from '../../../src/policy/rewrite/wire.js';
import type { TapContext } from '../../../src/tap/context.js';
import { installFetchTap } from '../../../src/tap/fetch.js';

let server: Server;
let url: string;
const received: { body: string; length: string | undefined; beta: string | undefined }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req
      .setEncoding('utf8')
      .on('data', (d: string) => (body += d))
      .on('end', () => {
        received.push({
          body,
          length: req.headers['content-length'],
          beta: req.headers['anthropic-beta'] as string | undefined,
        });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"message","content":[]}');
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/messages`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

let uninstall: () => void = () => {};
afterEach(() => {
  uninstall();
  received.length = 0;
  vi.restoreAllMocks();
});

function context(rules: RulesStep) {
  const log: string[] = [];
  const warnings: string[] = [];
  let n = 0;
  const ctx: TapContext = {
    recorder: {
      request: (r) => log.push(`request ${r.id} ${r.headers['anthropic-beta'] ?? '-'}`),
      response() {},
      end() {},
      rewrite: (r) => log.push(`rewrite ${r.exchange}`),
    },
    matchEndpoint: createEndpointMatcher(),
    warn: (code) => warnings.push(code),
    maxBodyBytes: 1 << 20,
    nextExchangeId: () => `x-${++n}`,
    open: new Set(),
    rules,
  };
  return { ctx, log, warnings };
}

const agentBody = JSON.stringify({
  model: 'claude-sonnet-5-5',
  max_tokens: 16,
  messages: [{ role: 'user', content: 'hi' }],
});

describe('fetch tap and the rules', () => {
  it('parses the body once, sends the rewrite with its own length and headers, logs the decision first', async () => {
    const seen: unknown[] = [];
    const { ctx, log } = context((request) => {
      seen.push(request.body);
      const body = JSON.stringify({ ...request.body, model: 'claude-haiku-4-5' });
      return {
        event: { dry_run: false, sent: true, rules: [{ rule: 'r', actions: ['setModel'] }] },
        send: { body, headers: { ...request.headers, 'anthropic-beta': 'b1' } },
      };
    });
    uninstall = installFetchTap(ctx);
    const parse = vi.spyOn(JSON, 'parse');
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(agentBody.length) },
      body: agentBody,
    });
    await res.text();
    expect(parse.mock.calls.filter(([text]) => text === agentBody)).toHaveLength(1);
    expect(seen).toEqual([JSON.parse(agentBody)]);
    const sent = JSON.stringify({ ...JSON.parse(agentBody), model: 'claude-haiku-4-5' });
    expect(received).toEqual([{ body: sent, length: String(Buffer.byteLength(sent)), beta: 'b1' }]);
    expect(log).toEqual(['rewrite x-1', 'request x-1 b1']);
  });

  it("a rules step that throws: the agent's bytes go out, one warning, the exchange still recorded", async () => {
    const { ctx, log, warnings } = context(() => {
      throw new Error('rule bug');
    });
    uninstall = installFetchTap(ctx);
    await (
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: agentBody })
    ).text();
    expect(received).toEqual([{ body: agentBody, length: String(agentBody.length), beta: undefined }]);
    expect(warnings).toEqual(['rules-failed']);
    expect(log).toEqual(['request x-1 -']);
  });
});
