// `node bench/otlp-live.mjs`: what live OTLP export (issue 14) costs the agent — its wall time, spawn to exit, with
// `export.otlp` on against a collector that is up, down (nothing listens), failing (500) or hanging (never
// answers), against the same agent under the loader with export off. Fresh processes, the variants' order
// rotated every round, medians and the median of per-round ratios; written to BENCHMARKS.md (section "otlp-live").
// The agent: tests/fixtures/apps/paced-calls.mjs, a real @anthropic-ai/sdk tool loop against the mock, its tools
// taking $BENCH_PAUSE_MS each (an agent that never pauses loads the log writer, and so the exporter, only at exit).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { median, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const turns = Number(process.env.BENCH_TURNS ?? 10);
const exitWait = 1000; // the default
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-otlp-'));
const pause = Number(process.env.BENCH_PAUSE_MS ?? 200);
const app = join(root, 'tests/fixtures/apps/paced-calls.mjs');

/** A bare OTLP/HTTP endpoint on 127.0.0.1: answers 200, 500, or never. */
async function collector(mode) {
  const sockets = new Set();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (mode === 'hang') return;
      res.writeHead(mode === 'fail' ? 500 : 200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', (s) => sockets.add(s));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const close = () => {
    for (const s of sockets) s.destroy();
    return new Promise((resolve) => server.close(resolve));
  };
  if (mode === 'down') await close(); // the port, with nothing behind it
  return { url, close: mode === 'down' ? async () => {} : close };
}

function configFor(name, url) {
  const file = join(scratch, `${name}.json`);
  writeFileSync(file, JSON.stringify({ export: { otlp: { endpoint: url } } }));
  return file;
}

/** `otlp_exported`/`otlp_dropped` of the run's `session.end`. */
function counts(dir) {
  const file = readdirSync(dir).find((f) => f.endsWith('.ndjson'));
  const end = readFileSync(join(dir, file), 'utf8').trim().split('\n').map(JSON.parse).at(-1);
  return { exported: end.otlp_exported ?? 0, dropped: end.otlp_dropped ?? 0 };
}

const mock = await startMock({
  script: Array.from({ length: turns - 1 }, (_, i) => ({ toolUse: { name: 'read_file', input: { path: `m${i}` } } })),
});
const collectors = {};
for (const mode of ['up', 'down', 'fail', 'hang']) collectors[mode] = await collector(mode === 'up' ? 'ok' : mode);
const variants = { off: undefined, ...Object.fromEntries(Object.entries(collectors).map(([m, c]) => [m, c.url])) };
const names = Object.keys(variants);
const times = Object.fromEntries(names.map((n) => [n, []]));
const ratios = Object.fromEntries(names.map((n) => [n, []]));
const last = {};
try {
  for (let round = 0; round < rounds; round++) {
    const ms = {};
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const session = `r${round}-${name}`;
      mock.reset();
      const env = {
        PATH: process.env.PATH,
        HOME: scratch,
        AGENTTAP_DIR: scratch,
        AGENTTAP_SESSION: session,
        AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: 'sk-ant-bench',
        CALLS: String(turns),
        PAUSE_MS: String(pause),
        ...(variants[name] ? { AGENTTAP_CONFIG: configFor(name, variants[name]) } : {}),
      };
      ({ ms: ms[name] } = await timedProcess(process.execPath, ['--import', './loader', app], { env }));
      times[name].push(ms[name]);
      last[name] = counts(join(scratch, session));
    }
    for (const n of names) ratios[n].push(ms[n] / ms.off);
  }
} finally {
  await mock.close();
  for (const c of Object.values(collectors)) await c.close();
  rmSync(scratch, { recursive: true, force: true });
}

const WHAT = {
  off: 'export off (baseline)',
  up: 'collector up',
  down: 'collector down (connection refused)',
  fail: 'collector answering 500',
  hang: 'collector never answering',
};
const rows = names.map(
  (n) =>
    `| ${WHAT[n]} | ${median(times[n]).toFixed(0)} ms | ${median(ratios[n]).toFixed(2)}× | ${n === 'off' ? '–' : `${last[n].exported} / ${last[n].dropped}`} |`,
);
const doc = `## Live OTLP export: the agent's wall time (bench/otlp-live.mjs)

An SDK tool loop (tests/fixtures/apps/paced-calls.mjs: ${turns} model calls, each tool taking ${pause} ms) under the loader against the mock,
spawn to exit, with \`export.otlp\` on (default \`interval\` and \`exitWait\` ${exitWait} ms, http/protobuf) against
a collector in each state, and off. Fresh processes, the five variants' order rotated every round, medians of
${rounds} rounds and the median of per-round ratios to *export off*. The spans column is the last round's
\`session.end\` (\`otlp_exported\` / \`otlp_dropped\`).

Machine: ${process.platform}/${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| collector | wall time | vs export off | spans exported / dropped |
|---|---|---|---|
${rows.join('\n')}
`;
writeSection(join(root, 'BENCHMARKS.md'), 'otlp-live', doc);
process.stdout.write(doc);
