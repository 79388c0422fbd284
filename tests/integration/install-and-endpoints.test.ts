/**
 * `node --import agenttap/loader` resolves through the package's `exports` as an installed copy would, and
 * endpoints added in the config are captured while other URLs are not.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

describe('installed package', () => {
  it('`node --import agenttap/loader` captures an agent in another project', async () => {
    const project = scratch('agenttap-project-');
    mkdirSync(join(project, 'node_modules'));
    symlinkSync(ROOT, join(project, 'node_modules', 'agenttap'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@anthropic-ai'), join(project, 'node_modules', '@anthropic-ai'), 'dir');
    writeFileSync(
      join(project, 'agent.mjs'),
      `import Anthropic from '@anthropic-ai/sdk';\nconst m = await new Anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 9, messages: [{ role: 'user', content: 'hi' }] });\nconsole.log(m.stop_reason);\n`,
    );
    const run = await runNode(join(project, 'agent.mjs'), {
      loader: false,
      nodeArgs: ['--import', 'agenttap/loader'],
      cwd: project,
      env: { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test' },
    });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('end_turn\n');
    expect(eventsOf(await sessionEvents(run.sessionDir), 'exchange.end').map((e) => e.outcome)).toEqual(['complete']);
  });
});

describe('configured endpoints', () => {
  it('captures a gateway path given in AGENTTAP_ENDPOINTS and nothing else', async () => {
    mock.reset();
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/custom-endpoint.mjs'), {
      env: { MOCK_URL: mock.url, AGENTTAP_ENDPOINTS: '/api/generate' },
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('404 404\n'); // the mock does not serve either path; both calls really happened
    expect(mock.received.map((r) => r.path)).toEqual(['/api/generate', '/api/telemetry']);
    const events = await sessionEvents(run.sessionDir);
    const requests = eventsOf(events, 'exchange.request');
    expect(requests.map((r) => [r.endpoint, new URL(r['url.full']).pathname, r.body])).toEqual([
      ['custom', '/api/generate', { model: 'local-llm', prompt: 'hello' }],
    ]);
    expect(requests[0]!['gen_ai.request.model']).toBe('local-llm');
    // The app never reads the 404 body: at exit the record is finished as incomplete, with the status known.
    expect(eventsOf(events, 'exchange.end')[0]).toMatchObject({
      outcome: 'incomplete',
      api_error: { type: 'http_404' },
      bytes: 0,
    });
  });
});
