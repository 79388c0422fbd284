/**
 * The log as a product: every line a real run writes validates against the published schema, the
 * committed JSON Schemas are the generated ones, `agenttap cat --full` gives plain requests back, and the
 * two failure policies hold — a bad config stops before the agent starts, a broken log path does not.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMAS } from '../../src/cli/schema.js';
import { LogEvent } from '../../src/log/events.js';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { ROOT, runNode, scratch } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

const agent = join(ROOT, 'examples/anthropic-agent.mjs');
const env = () => ({ ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-test' });
const cli = (...args: string[]) =>
  execFileSync(process.execPath, [join(ROOT, 'bin/agenttap.js'), ...args], { encoding: 'utf8' });

describe('the log', () => {
  it('every line of a real session validates against the event schema', async () => {
    const run = await runNode(agent, { env: env() });
    expect(run.code, run.stderr).toBe(0);
    const lines = readdirSync(run.sessionDir).flatMap((f) =>
      readFileSync(join(run.sessionDir, f), 'utf8').trim().split('\n'),
    );
    const names = lines.map((line) => LogEvent.parse(JSON.parse(line)).event);
    // session.end is written at exit: once in ~20 runs it went missing (an exit-time write handed to libuv's thread
    // pool by sonic-boom, issue 16). The child's stderr says what the exit path said, if anything.
    expect(new Set(names), `child stderr: ${run.stderr}`).toEqual(
      new Set(['session.start', 'exchange.request', 'exchange.response', 'exchange.end', 'blob', 'session.end']),
    );
  });

  it('the committed JSON Schemas are the ones the code generates', () => {
    expect(JSON.parse(readFileSync(join(ROOT, 'schemas/log-event.schema.json'), 'utf8'))).toEqual(SCHEMAS.log());
    expect(JSON.parse(readFileSync(join(ROOT, 'schemas/config.schema.json'), 'utf8'))).toEqual(SCHEMAS.config());
    expect(JSON.parse(readFileSync(join(ROOT, 'schemas/rules.schema.json'), 'utf8'))).toEqual(SCHEMAS.rules());
    expect(JSON.parse(cli('schema', 'config'))).toEqual(SCHEMAS.config());
  });

  it('`agenttap cat --full` expands blobs back into plain requests', async () => {
    const run = await runNode(agent, { env: env() });
    const compact = cli('cat', run.sessionDir)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const full = cli('cat', '--full', run.sessionDir)
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(compact.some((e) => e.event === 'blob')).toBe(true);
    expect(full.some((e) => e.event === 'blob')).toBe(false);
    const requests = full.filter((e) => e.event === 'exchange.request');
    expect(requests.length).toBe(2);
    expect(JSON.stringify(requests)).not.toContain('$blob');
    // The second turn resends the first: user task, assistant tool call, tool result.
    expect(requests[1].body.messages.map((m: { role: string }) => m.role)).toEqual(['user', 'assistant', 'user']);
    expect(requests[1].body.system).toBe(requests[0].body.system);
    expect(requests[1].body.tools).toEqual(requests[0].body.tools);
  });
});

describe('failure policies', () => {
  it('a bad config stops the process before the agent starts, naming file, field and fix', async () => {
    const config = join(scratch(), 'agenttap.json');
    writeFileSync(config, JSON.stringify({ children: 'sometimes', capture: { maxBodyByte: 1 } }));
    mock.reset();
    const run = await runNode(agent, { env: { ...env(), AGENTTAP_CONFIG: config } });
    expect(run.code).toBe(78);
    expect(run.stdout).toBe('');
    expect(mock.received.length).toBe(0);
    expect(run.stderr).toContain(config);
    expect(run.stderr).toContain('field "children"');
    expect(run.stderr).toContain('Fix: use one of "join", "off"');
    expect(run.stderr).toContain('remove "maxBodyByte"');
  });

  it('a log folder that cannot be made leaves the agent running unchanged, with one line on stderr', async () => {
    const plain = await runNode(agent, { loader: false, env: env() });
    const blocked = join(scratch(), 'a-file');
    writeFileSync(blocked, 'not a directory');
    const run = await runNode(agent, { env: { ...env(), AGENTTAP_DIR: blocked } });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(plain.stdout);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^agenttap: logging stopped \(cannot create .*a-file\/session/),
    ]);
  });

  it('the CLI names a missing session clearly', () => {
    const result = spawnSync(process.execPath, [join(ROOT, 'bin/agenttap.js'), 'cat', '/nonexistent/session'], {
      encoding: 'utf8',
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('/nonexistent/session: no such session directory or log file');
  });
});
