/**
 * The sink at the edge of a process's life: a record written just before `process.exit()` is on disk, and the
 * exit prints nothing on the agent's stderr (pino's own exit flush once threw "sonic boom is not ready yet"
 * when the file had not finished opening).
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, runNode, scratch } from '../../helpers/run.js';

it('a record written right before process.exit() reaches the file, and the exit is silent', async () => {
  const dir = scratch('agenttap-sink-');
  const app = join(dir, 'exit-now.mjs');
  writeFileSync(
    app,
    `import { openSink } from ${JSON.stringify(join(ROOT, 'dist/src/log/sink.js'))};
const sink = openSink({ sessionDir: ${JSON.stringify(join(dir, 'session'))}, session: 's' });
sink.write('tap.warning', { code: 'last-words', message: 'written just before exit' });
process.exit(3);\n`,
  );
  const run = await runNode(app, { loader: false });
  expect(run.code).toBe(3);
  expect(run.stderr).toBe('');
  const [file] = readdirSync(join(dir, 'session'));
  const lines = readFileSync(join(dir, 'session', file!), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { code?: string });
  expect(lines.map((l) => l.code)).toEqual(['last-words']);
});

it('a write error (ENOSPC from /dev/full) mutes the sink with one line on stderr, and the exit is prompt', async () => {
  const dir = scratch('agenttap-sink-');
  const app = join(dir, 'full.mjs');
  // The process's own log file is a link to /dev/full: every write fails with ENOSPC (sonic-boom retried forever).
  writeFileSync(
    app,
    `import { mkdirSync, symlinkSync } from 'node:fs';
import { openSink } from ${JSON.stringify(join(ROOT, 'dist/src/log/sink.js'))};
const dir = ${JSON.stringify(join(dir, 'session'))};
mkdirSync(dir);
symlinkSync('/dev/full', dir + '/' + process.pid + '.ndjson');
const sink = openSink({ sessionDir: dir, session: 's' });
sink.write('tap.warning', { code: 'w', message: 'x'.repeat(100000) });
process.stdout.write('agent output\\n');
sink.flushSync(); // as the capture's exit handler does
process.exit(0);\n`,
  );
  const run = await runNode(app, { loader: false, timeoutMs: 15_000 });
  expect(run.code).toBe(0);
  expect(run.stdout).toBe('agent output\n');
  expect(run.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agenttap: logging stopped \(.*ENOSPC/)]);
});

it('the file is created 0600 and its folder 0700', async () => {
  const dir = scratch('agenttap-sink-');
  const app = join(dir, 'modes.mjs');
  writeFileSync(
    app,
    `import { openSink } from ${JSON.stringify(join(ROOT, 'dist/src/log/sink.js'))};
openSink({ sessionDir: ${JSON.stringify(join(dir, 'a', 'session'))}, session: 's' }).write('tap.warning', { code: 'w', message: 'm' });\n`,
  );
  const run = await runNode(app, { loader: false });
  expect(run.code, run.stderr).toBe(0);
  expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
  expect(statSync(join(dir, 'a', 'session')).mode & 0o777).toBe(0o700);
  const [file] = readdirSync(join(dir, 'a', 'session'));
  expect(statSync(join(dir, 'a', 'session', file!)).mode & 0o777).toBe(0o600);
});
