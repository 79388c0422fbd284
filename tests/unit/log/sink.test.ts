/**
 * The sink at the edge of a process's life: a record written just before `process.exit()` is on disk, and the
 * exit prints nothing on the agent's stderr (pino's own exit flush once threw "sonic boom is not ready yet"
 * when the file had not finished opening).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { ROOT, runNode, scratch } from '../../helpers/run.js';

it('a record written right before process.exit() reaches the file, and the exit is silent', async () => {
  const dir = scratch('agenttap-sink-');
  const app = join(dir, 'exit-now.mjs');
  writeFileSync(app, `import { openSink } from ${JSON.stringify(join(ROOT, 'dist/log/sink.js'))};
const sink = openSink({ sessionDir: ${JSON.stringify(join(dir, 'session'))}, session: 's' });
sink.write('tap.warning', { code: 'last-words', message: 'written just before exit' });
process.exit(3);\n`);
  const run = await runNode(app, { loader: false });
  expect(run.code).toBe(3);
  expect(run.stderr).toBe('');
  const [file] = readdirSync(join(dir, 'session'));
  const lines = readFileSync(join(dir, 'session', file!), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { code?: string });
  expect(lines.map((l) => l.code)).toEqual(['last-words']);
});
