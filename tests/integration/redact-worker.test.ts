/**
 * Redaction off the agent's thread (issue 16, item 10): an SDK agent under the real loader sends a 1 MB prompt
 * with a secret in it and calls process.exit(0) as soon as the answer is in. The capture worker — started at that
 * first model call, not before — has written every record, in order and redacted, by the time the process is
 * gone; the agent's stdout and stderr are its own. A process that calls no model starts no thread.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { allFileText, eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

const SECRET = 'ghp_' + 'Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8';
const app = join(ROOT, 'tests/fixtures/apps/big-prompt-exit.mjs');
let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({ maxReceived: 2 });
});
afterAll(() => mock.close());

describe('redaction in the capture worker', () => {
  it('writes a large exchange redacted and in order when the agent exits right after the answer', async () => {
    const env = { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test', SECRET, MB: '1', WAIT_MS: '10000' };
    const plain = await runNode(app, { env: { ...env, WAIT_MS: '0' }, loader: false });
    const run = await runNode(app, { env, timeoutMs: 60_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as { before: number; after: number; text: string };
    expect(out.text).toBe((JSON.parse(plain.stdout) as { text: string }).text);
    // The worker is the one thread agenttap adds, and only once the model was called.
    expect(out.after - out.before).toBe(1);

    const events = await sessionEvents(run.sessionDir);
    expect(events.map((e) => e.event)).toEqual([
      'session.start',
      'exchange.request',
      'exchange.response',
      'exchange.end',
      'session.end',
    ]);
    expect(allFileText(run.home)).not.toContain(SECRET);
    const [request] = eventsOf(events, 'exchange.request');
    // Parsed from the text in the worker: the facts, and the whole prompt (the secret as its tag).
    expect(request).toMatchObject({
      'gen_ai.request.model': 'claude-sonnet-5-5',
      'gen_ai.request.max_tokens': 64,
      stream: false,
    });
    const sent = (JSON.parse(mock.received.at(-1)!.rawBody.toString()) as { messages: { content: string }[] })
      .messages[0]!.content;
    const logged = (request!.body as { messages: { content: string }[] }).messages[0]!.content;
    expect(logged).toMatch(/^deploy token \[REDACTED:[^\]]+\]\n/);
    expect(logged.replace(/\[REDACTED:[^\]]+\]/, SECRET)).toBe(sent);
    expect(events.at(-1)).toMatchObject({ event: 'session.end', exchanges: 1, dropped: 0 });
  });

  it('starts no thread in a process that calls no model', async () => {
    const run = await runNode(app, { env: { CALL: '0', WAIT_MS: '300' } });
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as { before: number; after: number };
    expect(out.after).toBe(out.before);
  });
});
