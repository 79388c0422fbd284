/**
 * Issue 10 leftover: under `agenttap run`, native Claude Code's base URL is the witness proxy on loopback
 * (src/run/witness.ts), so the in-process tap sees `http://127.0.0.1:<witness port>/v1/messages`. The log must name
 * the API the call really went to (here the mock, standing for https://api.anthropic.com), as a capture without
 * the witness would: `url.full`, `server.address` / `server.port` of the request, and the response's `url`.
 */
import { describe, expect, test } from 'vitest';
import { startMock } from '../../src/mock/index.js';
import { nativeClaudeCode, runClaudeCode } from '../helpers/claude-code.js';
import { eventsOf, sessionEvents } from '../helpers/run.js';

const supported = process.platform === 'linux' && process.arch === 'x64';

describe.runIf(supported)(
  'native Claude Code under agenttap run: records name the upstream API, not the witness',
  () => {
    test('url.full, server address and port, and the response url are the upstream ones', async () => {
      const claude = nativeClaudeCode();
      expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
      const mock = await startMock({ script: () => ({ text: 'OK' }) });
      try {
        const result = await runClaudeCode({
          prompt: 'Say something.',
          mockUrl: mock.url,
          via: 'run',
          claude: [claude!],
        });
        expect(result.code, result.stderr).toBe(0);
        const events = await sessionEvents(result.sessionDir);
        const requests = eventsOf(events, 'exchange.request').filter((r) => r.endpoint === 'anthropic.messages');
        expect(requests.length).toBeGreaterThanOrEqual(1);
        const upstream = new URL(mock.url);
        for (const r of requests) {
          expect(r.layer).toBe('fetch');
          expect(r['url.full']).toMatch(new RegExp(`^${mock.url.replace(/[.]/g, '\\.')}/v1/messages(\\?|$)`));
          expect([r['server.address'], r['server.port']]).toEqual([upstream.hostname, Number(upstream.port)]);
        }
        const responses = eventsOf(events, 'exchange.response').filter((e) =>
          requests.some((r) => r.exchange === e.exchange),
        );
        expect(responses.length).toBe(requests.length);
        for (const e of responses)
          if (e.url !== undefined) expect(e.url).toMatch(new RegExp(`^${mock.url.replace(/[.]/g, '\\.')}/`));
      } finally {
        await mock.close();
      }
    }, 60_000);
  },
);
