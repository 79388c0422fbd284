import { Command } from 'commander';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerMockCommand } from '../../../src/cli/mock.js';

/** Runs `agenttap mock ...args` in-process; `stop()` plays SIGINT to the command's own listener only. */
async function runMock(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  });
  const before = new Set(process.listeners('SIGINT'));
  const program = new Command('agenttap').exitOverride();
  registerMockCommand(program);
  const done = program.parseAsync(['mock', ...args], { from: 'user' });
  const deadline = Date.now() + 3000;
  while (out.length === 0 && Date.now() < deadline) {
    const failed = await Promise.race([
      done.then(
        () => false,
        () => true,
      ),
      new Promise((r) => setTimeout(() => r(false), 10)),
    ]);
    if (failed) break;
  }
  const stop = async () => {
    for (const listener of process.listeners('SIGINT')) if (!before.has(listener)) (listener as () => void)();
    await done;
  };
  return { out, err, done, stop };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('agenttap mock', () => {
  it('prints the URL alone on stdout and a line on stderr, serves a script file, stops on SIGINT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agenttap-mock-'));
    const file = join(dir, 'script.json');
    writeFileSync(file, JSON.stringify([{ text: 'from the file' }]));
    const run = await runMock(['--port', '0', '--script', file, '--strict', '--gzip']);
    expect(run.out).toHaveLength(1);
    const url = run.out[0]!.trim();
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(run.err).toEqual([`agenttap mock listening on ${url}\n`]);

    const res = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(await res.json()).toMatchObject({ content: [{ type: 'text', text: 'from the file' }] });
    const strict = await fetch(`${url}/v1/messages`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [] }),
    });
    expect(strict.status).toBe(400);

    await run.stop();
    await expect(fetch(`${url}/`)).rejects.toThrow();
  });

  it('refuses a non-loopback host and a bad script file with a usage error', async () => {
    const host = await runMock(['--host', '0.0.0.0']);
    await expect(host.done).rejects.toThrow(/only loopback/);
    const bad = await runMock(['--script', '/nonexistent/agenttap-script.json']);
    await expect(bad.done).rejects.toThrow(/agenttap-script\.json/);
    const port = await runMock(['--port', 'abc']);
    await expect(port.done).rejects.toThrow(/--port must be an integer/);
  });
});
