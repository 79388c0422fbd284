/**
 * `session.start` records the agent's argv and cwd: a bare secret after a flag (`--api-token <secret>`, which no
 * rule knows by shape), a `--flag=value` and a token in the folder name are redacted; the rest stays readable.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { allFileText, eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';
import { ALNUM, prng, randomChars, secretCases } from '../unit/redact/fixtures.js';
import { testSeed } from '../helpers/seed.js';

const AGENT = join(ROOT, 'tests/fixtures/apps/bad-header-agent.mjs');
const seed = testSeed();
const rand = prng(seed);
const bare = randomChars(rand, 32, ALNUM);
const dd = randomChars(rand, 32, '0123456789abcdef');
const folderToken = secretCases(seed).githubClassic!.secret;

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock();
});
afterAll(() => mock.close());

describe(`session.start (seed ${seed})`, () => {
  it('redacts secrets in argv and cwd, and keeps the rest', async () => {
    const cwd = join(scratch('agenttap-session-cwd-'), folderToken);
    mkdirSync(cwd);
    const run = await runNode(AGENT, {
      cwd,
      args: ['--api-token', bare, `--dd-api-key=${dd}`, '--verbose'],
      env: { ANTHROPIC_BASE_URL: mock.url, KEY: secretCases(seed).anthropic!.secret },
    });
    expect(run.code, run.stderr).toBe(0);
    const [start] = eventsOf(await sessionEvents(run.sessionDir), 'session.start');
    expect(start!.argv.slice(1, 3)).toEqual([AGENT, '--api-token']);
    expect(start!.argv[3]).toMatch(/^\[REDACTED:[a-z-]+:[0-9a-f]{8}\]$/);
    expect(start!.argv[4]).toMatch(/^--dd-api-key=\[REDACTED:/);
    expect(start!.argv[5]).toBe('--verbose');
    expect(start!.cwd).toMatch(/\/\[REDACTED:github-token:[0-9a-f]{8}\]$/);
    const written = allFileText(run.home);
    for (const secret of [bare, dd, folderToken]) expect(written).not.toContain(secret);
  });
});
