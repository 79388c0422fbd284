// `npm run bench`: answers three questions, each as a ratio against a baseline measured in the same run,
// and writes BENCHMARKS.md. Runs are fresh processes, alternating baseline and subject, median of pairs.
//   1. startup   — when the agent's first line runs (performance.now() there), with vs without the loader
//   2. requests  — an agent making 100 streamed calls to the mock, with vs without the loader
//   3. log size  — a 50-turn session's log vs the same records written as full requests (`cat --full`)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { paired as pairedRuns, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const pairs = Number(process.env.BENCH_PAIRS ?? 15);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-'));
const baseEnv = {
  PATH: process.env.PATH,
  HOME: scratch,
  AGENTTAP_DIR: join(scratch, 'sessions'),
  AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
};

const run = (args, env) => timedProcess(process.execPath, args, { env });
const timeRun = async (args, env) => (await run(args, { ...baseEnv, ...env })).ms;
/** ms from process start to the agent's first line, as the agent itself measures it. */
const firstLine = async (args, env) =>
  Number((await run([...args, '-e', 'process.stdout.write(String(performance.now()))'], env)).stdout);
/** Only HOME and PATH: agenttap on its defaults (no AGENTTAP_* variable, no config file). */
const bareEnv = { PATH: process.env.PATH, HOME: scratch };
const paired = (baseline, subject) => pairedRuns(pairs, baseline, subject);

const mock = await startMock({ maxReceived: 10 });
const results = [];
try {
  const startup = await paired(
    () => firstLine([], bareEnv),
    () => firstLine(['--import', './loader'], bareEnv),
  );
  results.push([
    "startup, defaults: time until the agent's first line runs",
    `${startup.baseline.toFixed(1)} ms`,
    `${startup.subject.toFixed(1)} ms`,
    startup.ratio,
  ]);
  const configured = await paired(
    () => firstLine([], baseEnv),
    () => firstLine(['--import', './loader'], baseEnv),
  );
  results.push([
    'startup, with AGENTTAP_* settings to validate',
    `${configured.baseline.toFixed(1)} ms`,
    `${configured.subject.toFixed(1)} ms`,
    configured.ratio,
  ]);

  const loop = join(root, 'bench/fixtures/request-loop.mjs');
  const env = { ANTHROPIC_BASE_URL: mock.url, ANTHROPIC_API_KEY: 'sk-ant-bench', CALLS: '100' };
  const requests = await paired(
    () => timeRun([loop], env),
    () => timeRun(['--import', './loader', loop], env),
  );
  results.push([
    '100 streamed calls to the mock (whole agent process)',
    `${requests.baseline.toFixed(0)} ms`,
    `${requests.subject.toFixed(0)} ms`,
    requests.ratio,
  ]);

  const session = `bench-${Date.now()}`;
  mock.reset();
  const longMock = await startMock({
    script: Array.from({ length: 49 }, (_, i) => ({ toolUse: { name: 'read_file', input: { path: `src/m${i}.ts` } } })),
  });
  try {
    await timeRun(['--import', './loader', join(root, 'tests/fixtures/apps/long-session.mjs')], {
      ANTHROPIC_BASE_URL: longMock.url,
      ANTHROPIC_API_KEY: 'sk-ant-bench',
      TURNS: '50',
      AGENTTAP_SESSION: session,
    });
  } finally {
    await longMock.close();
  }
  const dir = join(baseEnv.AGENTTAP_DIR, session);
  const logBytes = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const fullBytes = execFileSync(process.execPath, [join(root, 'bin/agenttap.js'), 'cat', '--full', dir], {
    maxBuffer: 1 << 30,
  }).byteLength;
  results.push([
    '50-turn session: log size vs the same records as full requests',
    `${(fullBytes / 1024).toFixed(0)} KiB`,
    `${(logBytes / 1024).toFixed(0)} KiB`,
    logBytes / fullBytes,
  ]);
} finally {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
}

const rows = results.map(([what, base, subject, ratio]) => `| ${what} | ${base} | ${subject} | ${ratio.toFixed(3)}× |`);
const doc = `## Capture (bench/run.mjs)

Fresh processes, baseline and subject alternating, median of ${pairs} paired ratios.

Machine: ${process.platform}/${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| question | baseline | with agenttap | ratio |
|---|---|---|---|
${rows.join('\n')}

Reading the figures:
- **startup**: what the agent waits for before its first line (the baseline includes Node's own bootstrap).
  Settings are checked by hand (zod loads only to word an error); the capture and the log writer load only after
  a model call, so neither is in this figure. The \`startup\` section pairs it against a minimal tee per Node.
- **100 streamed calls**: the whole agent process, from start to exit, against the local mock (no network, so
  the tap's share is as large as it can ever be; against a real API each call takes seconds).
- **log size**: a coding-agent-shaped session (12 KB system prompt, 5 tools, ~1.5 KB tool output per turn) logs
  its 50 requests as blob and list references instead of resending everything; the baseline is the same session
  as \`agenttap cat --full\` prints it.
`;
writeSection(join(root, 'BENCHMARKS.md'), 'capture', doc);
process.stdout.write(doc);
