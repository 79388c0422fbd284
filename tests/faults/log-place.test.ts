/**
 * Fault matrix (issue 16), where the log goes: a full disk, a read-only one, paths that cannot be a log folder or
 * file, a key file that cannot be read, and all of it with the agent's stderr closed. The agent must run exactly as
 * without the tap; agenttap may say one line on stderr when it cannot log, and nothing else.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMock } from '../../src/mock/index.js';
import { AGENT, expectUnnoticed, MATRIX, matrixNodes, runPair, type Expect, type RunSpec } from './helpers/pair.js';
import { cannotMount, mountTmpfs, unmount } from './helpers/places.js';
import { scratch } from '../helpers/run.js';

const bins = new Map<string, string>();
const bin = async (major: string) => {
  if (bins.size === 0) for (const n of await matrixNodes()) bins.set(n.label.split(' ')[1]!, n.bin);
  return bins.get(major)!;
};

/** Two streamed calls by fetch, against each side's own mock; `place` sets where the log goes. */
async function pairAt(major: string, place: () => { spec: Partial<RunSpec>; close?: () => void }) {
  return runPair(async () => {
    const mock = await startMock();
    const { spec, close } = place();
    return {
      spec: {
        args: [AGENT, 'fetch'],
        ...spec,
        node: await bin(major),
        env: { ANTHROPIC_BASE_URL: mock.url, CALLS: '2', ...spec.env },
      },
      close: async () => {
        close?.();
        await mock.close();
      },
    };
  });
}

const cantLog: Expect = { notice: true, log: 'none' };

describe.each(MATRIX)('log places, node %s', { timeout: 180_000 }, (major) => {
  it('a full disk (64 KiB tmpfs, a first request larger than that)', async (ctx) => {
    const reason = cannotMount();
    if (reason) return ctx.skip(reason);
    // Unmounted only after the log is read back (what fit on the disk lives there). One disk per side of the
    // pair: the side function runs twice, and a single variable leaked the first mount.
    const disks: string[] = [];
    try {
      const pair = await pairAt(major, () => {
        const disk = mountTmpfs(['size=64k']);
        disks.push(disk);
        return { spec: { logDir: disk, env: { SYSTEM_BYTES: String(96 * 1024) } } };
      });
      await expectUnnoticed(pair, { notice: true, log: 'valid' });
    } finally {
      for (const disk of disks) unmount(disk);
    }
  });

  it('a read-only log folder (tmpfs mounted ro)', async (ctx) => {
    const reason = cannotMount();
    if (reason) return ctx.skip(reason);
    const pair = await pairAt(major, () => {
      const disk = mountTmpfs(['ro', 'size=64k']);
      return { spec: { logDir: disk }, close: () => unmount(disk) };
    });
    await expectUnnoticed(pair, cantLog);
  });

  it('AGENTTAP_DIR=/proc/x', async () => {
    await expectUnnoticed(await pairAt(major, () => ({ spec: { logDir: '/proc/x' } })), cantLog);
  });

  it('a file where the log folder should be', async () => {
    const pair = await pairAt(major, () => {
      const file = join(scratch('agenttap-place-'), 'not-a-folder');
      writeFileSync(file, 'x');
      return { spec: { logDir: file } };
    });
    await expectUnnoticed(pair, cantLog);
  });

  it('a FIFO as the log file (nobody reading it)', async () => {
    // The log file is <dir>/<session>/<pid>.ndjson: bash makes the FIFO under its own pid, then execs node in its place.
    const pair = await pairAt(major, () => {
      const dir = scratch('agenttap-place-');
      mkdirSync(join(dir, 'session'));
      return { spec: { logDir: dir, shell: (cmd) => `mkfifo ${dir}/session/$$.ndjson && exec ${cmd}` } };
    });
    // Nothing to read back: opening a FIFO with no writer would block the reader too.
    await expectUnnoticed(pair, { notice: true, log: 'skip' });
  });

  it('AGENTTAP_KEY_FILE=/proc/x/key (the log is still written, with a one-off key)', async () => {
    const pair = await pairAt(major, () => ({ spec: { env: { AGENTTAP_KEY_FILE: '/proc/x/key' } } }));
    await expectUnnoticed(pair, { notice: true });
  });

  it('stderr closed (2>&-) while the log folder cannot be made (agenttap has something to say)', async () => {
    const pair = await pairAt(major, () => {
      const file = join(scratch('agenttap-place-'), 'not-a-folder');
      writeFileSync(file, 'x');
      return { spec: { logDir: file, shell: (cmd) => `exec ${cmd} 2>&-` } };
    });
    expect(pair.plain.stdout).toMatch(/^call 2: 200/m);
    await expectUnnoticed(pair, { log: 'none' });
  });
});
