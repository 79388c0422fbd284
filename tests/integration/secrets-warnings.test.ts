/**
 * A tap warning quotes what the agent sent: an error message naming the header value it refused. The warning reaches
 * stderr (once, on one line) and the log redacted; the agent sees exactly what it sees without agenttap.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { allFileText, eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';
import { secretCases } from '../unit/redact/fixtures.js';
import { testSeed } from '../helpers/seed.js';

const AGENT = join(ROOT, 'tests/fixtures/apps/bad-header-agent.mjs');
const KEY = secretCases(testSeed()).anthropic!.secret;

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

describe('tap warnings', () => {
  it('reach stderr and the log redacted, on one line', async () => {
    const env = { ANTHROPIC_BASE_URL: mock.url, KEY };
    const plain = await runNode(AGENT, { loader: false, env });
    const run = await runNode(AGENT, { env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stdout).toBe('bad header: TypeError\ngood header: 200 message\n');

    // The warning was said (else its redaction would prove nothing), once, on one line, without the key.
    expect(run.stderr).toMatch(/^agenttap: fetch-tap-failed: .*\[REDACTED:anthropic-api-key:[0-9a-f]{8}\].*\n$/);
    const events = await sessionEvents(run.sessionDir);
    const warnings = eventsOf(events, 'tap.warning');
    expect(warnings.map((w) => w.code)).toEqual(['fetch-tap-failed']);
    expect(warnings[0]!.message).toMatch(/\[REDACTED:anthropic-api-key:[0-9a-f]{8}\]/);
    expect(allFileText(run.home)).not.toContain(KEY);
    expect(run.stderr).not.toContain(KEY);
  });
});
