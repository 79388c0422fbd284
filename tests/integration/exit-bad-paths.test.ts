/**
 * Issue 16, items 1, 2, 6 and 8: where the log goes can be hostile — procfs, a full disk, a closed stderr — and the
 * agent still prints its output and exits, at once, with at most one line of ours on stderr. What agenttap makes is
 * private: session folders 0700, log files 0600.
 */
import { spawn, spawnSync } from 'node:child_process';
import { statSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { LOADER, ROOT, runNode, scratch } from '../helpers/run.js';

const APP = join(ROOT, 'tests/fixtures/apps/exit-paths.mjs');
let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

/** The agent under the loader, bounded (a hang fails the test with the child's stack). */
const agent = (env: Record<string, string>, mode = 'exit', waitMs = 0) =>
  runNode(APP, { args: [mode, String(waitMs)], env: { MOCK_URL: mock.url, ...env }, timeoutMs: 20_000 });

describe('a log folder or key file under /proc (a recursive mkdir there never ends)', () => {
  it('AGENTTAP_DIR=/proc/…: the agent answers and exits, one line on stderr', async () => {
    const run = await agent({ AGENTTAP_DIR: '/proc/agenttap-x' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('200 complete\n');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^agenttap: logging stopped \(cannot create \/proc\/agenttap-x\/session: ENOENT/),
    ]);
  });

  it('AGENTTAP_KEY_FILE=/proc/…/key: a one-off key, the log still written', async () => {
    const run = await agent({ AGENTTAP_KEY_FILE: '/proc/agenttap-x/key' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('200 complete\n');
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^agenttap: cannot use the redaction key \/proc\/agenttap-x\/key .*one-off key$/),
    ]);
    expect(readdirSync(run.sessionDir)).toHaveLength(1);
  });
});

describe('a full disk', () => {
  it('the agent answers and exits with one line on stderr (it hung at exit in sonic-boom’s flushSync)', async (ctx) => {
    const dir = scratch('agenttap-full-');
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0)
      ctx.skip(`cannot mount a 64k tmpfs to fill (needs root): ${mounted.stderr.trim() || mounted.error?.message}`);
    try {
      // Leave less room than one exchange's records need: the first write of the log fails with ENOSPC.
      spawnSync('dd', ['if=/dev/zero', `of=${join(dir, 'filler')}`, 'bs=1k', 'count=1000'], { encoding: 'utf8' });
      // The call comes late enough that the log writer runs (it used to load in the background at start).
      const run = await agent({ AGENTTAP_DIR: dir, AGENTTAP_SESSION: 'session' }, 'exit', 1500);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('200 complete\n');
      expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agenttap: logging stopped \(.*ENOSPC/)]);
    } finally {
      spawnSync('umount', [dir]);
    }
  });
});

describe('private files', () => {
  it('session folders are 0700, log files 0600', async () => {
    const run = await agent({}, 'natural');
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(run.sessionDir).mode & 0o777).toBe(0o700);
    const [file] = readdirSync(run.sessionDir);
    expect(statSync(join(run.sessionDir, file!)).mode & 0o777).toBe(0o600);
  });

  it('a missing key folder is made 0700 and the key 0600', async () => {
    const keyDir = join(scratch('agenttap-key-'), 'nested', 'keys');
    const run = await agent({ AGENTTAP_KEY_FILE: join(keyDir, 'key') }, 'natural');
    expect(run.code, run.stderr).toBe(0);
    expect(statSync(keyDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(keyDir, 'key')).mode & 0o777).toBe(0o600);
  });
});

describe('a closed stderr', () => {
  it('a notice of ours does not kill the agent (EPIPE as an unhandled stream error)', async () => {
    const blocked = join(scratch(), 'a-file');
    writeFileSync(blocked, 'not a directory');
    const home = scratch('agenttap-home-');
    const env = {
      PATH: process.env.PATH,
      HOME: home,
      MOCK_URL: mock.url,
      AGENTTAP_DIR: blocked,
      AGENTTAP_KEY_FILE: join(ROOT, 'tests/fixtures/redaction.key'),
    };
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', LOADER, APP, 'exit', '300'], {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stderr.destroy(); // the reader is gone: any write to the child's stderr fails with EPIPE
      let stdout = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`timed out; stdout: ${stdout}`));
      }, 20_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve({ code, stdout });
      });
    });
    expect(result).toEqual({ code: 0, stdout: '200 complete\n' });
  });
});
