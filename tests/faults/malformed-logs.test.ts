/**
 * Fault matrix (issue 16), reading: damaged logs fed to `agenttap cat` and `agenttap report` — a torn last line,
 * a pino log that is not agenttap's, binary garbage, a log from a future version, a blob reference with no blob.
 * Each must give one clear line on stderr (a warning or an error, never a stack) and an exit status that says
 * what happened: 0 when the log was read (a warning), 2 when it could not be (an error) — never a crash's 1.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MATRIX, matrixNodes } from './helpers/pair.js';
import { ROOT, scratch, spawnBounded } from '../helpers/run.js';

const CLI = join(ROOT, 'bin/agenttap.js');
const bins = new Map<string, string>();
const bin = async (major: string) => {
  if (bins.size === 0) for (const n of await matrixNodes()) bins.set(n.label.split(' ')[1]!, n.bin);
  return bins.get(major)!;
};

// A small complete session (one exchange, a blob, session.end): the torn fixture without its torn tail.
const lines = readFileSync(join(ROOT, 'tests/fixtures/logs/torn/555.ndjson'), 'utf8')
  .split('\n')
  .filter((l) => l.endsWith('}'));
const valid = lines.filter((l) => (JSON.parse(l) as { event: string }).event !== 'agent.note');

interface Damage {
  name: string;
  text: string | Buffer;
  /** Exit statuses that say what happened (0: read, with a warning; 2: not readable). */
  exits: number[];
  /** What the one line must name. */
  says: RegExp;
  /** Commands that read past this damage without needing to say anything (default: none). */
  silent?: string[];
}

const DAMAGES: Damage[] = [
  {
    name: 'a torn last line',
    text: `${valid.join('\n')}\n${valid[2]!.slice(0, 90)}`,
    exits: [0],
    says: /:\d+:.*torn|incomplete|not a complete/i,
  },
  {
    name: "NDJSON that is not agenttap's (a pino app log)",
    text: `${Array.from({ length: 20 }, (_, i) =>
      JSON.stringify({ level: 30, time: 1751364000000 + i, pid: 1, msg: `request ${i}` }),
    ).join('\n')}\n`,
    exits: [0, 2],
    says: /agenttap|not an agenttap/i,
  },
  {
    name: 'binary garbage',
    text: Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 37 + (i >> 7)) % 256)),
    exits: [0, 2],
    says: /log|json|agenttap/i,
  },
  {
    name: 'a log from a future version (v: 99)',
    text: `${valid.map((l) => l.replace('"v":1,', '"v":99,')).join('\n')}\n`,
    exits: [0, 2],
    says: /99|version/i,
  },
  {
    name: 'a dangling blob reference',
    text: `${valid.filter((l) => !l.includes('"event":"blob"')).join('\n')}\n`,
    exits: [0, 2],
    says: /2b13448419c465f79ec89649d75b3800|blob/i,
    // Plain `cat` prints references as they are written; only expanding (`--full`, `report`) needs the blob.
    silent: ['cat'],
  },
];

const COMMANDS = [['cat'], ['cat', '--full'], ['report', '--no-progress']];

describe.each(MATRIX)('damaged logs, node %s', { timeout: 180_000 }, (major) => {
  it.each(DAMAGES)('$name', async (damage) => {
    const dir = scratch('agenttap-damaged-');
    const file = join(dir, '555.ndjson');
    writeFileSync(file, damage.text);
    for (const command of COMMANDS) {
      const run = await spawnBounded(await bin(major), [CLI, ...command, file], {
        cwd: dir,
        env: { PATH: process.env.PATH, HOME: dir, NO_COLOR: '1' },
        timeoutMs: 30_000,
      });
      const what = `agenttap ${command.join(' ')} → ${run.code ?? run.signal}\nstderr: ${run.stderr}`;
      expect(run.stderr, `${what}\nno stack`).not.toMatch(/^\s+at /m);
      if (damage.silent?.includes(command.join(' '))) {
        expect({ code: run.code, stderr: run.stderr }, what).toEqual({ code: 0, stderr: '' });
        continue;
      }
      expect(run.stderr.split('\n').filter(Boolean), `${what}\none line on stderr`).toHaveLength(1);
      expect(run.stderr, what).toMatch(damage.says);
      expect(damage.exits, what).toContain(run.code);
    }
  });
});
