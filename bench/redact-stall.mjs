// `node bench/redact-stall.mjs`: the agent's worst event-loop stall while it sends 1 MB and 4 MB prompts to
// the mock (bench/fixtures/big-prompt.mjs measures it with monitorEventLoopDelay), four ways, fresh
// processes, order rotated every round, medians; written to BENCHMARKS.md (section "redact-stall").
//   alone    — the agent without anything
//   tee      — a minimal in-process tee (bench/fixtures/min-tee.mjs): the least any in-process capture costs
//   before   — agenttap redacting on the agent's thread (AGENTTAP_REDACT_WORKER=0)
//   after    — agenttap with the capture worker (the default)
// Then the hand-off itself, in this process: what the agent's thread pays to give a 4 MB body to the worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageChannel } from 'node:worker_threads';
import { startMock } from '../dist/src/mock/index.js';
import { median, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
const sizes = (process.env.BENCH_MB ?? '1,4').split(',').map(Number);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-stall-'));
const app = join(root, 'bench/fixtures/big-prompt.mjs');
const env = {
  PATH: process.env.PATH,
  HOME: scratch,
  AGENTTAP_DIR: join(scratch, 'sessions'),
  AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
  ANTHROPIC_API_KEY: 'sk-ant-bench',
  CALLS: '4',
};
const VARIANTS = {
  alone: { args: [app], env: {} },
  tee: { args: ['--import', './bench/fixtures/min-tee.mjs', app], env: { TEE_FILE: join(scratch, 'tee.ndjson') } },
  before: { args: ['--import', './loader', app], env: { AGENTTAP_REDACT_WORKER: '0' } },
  after: { args: ['--import', './loader', app], env: {} },
};
const names = Object.keys(VARIANTS);

const mock = await startMock({ maxReceived: 1 });
const table = [];
try {
  for (const mb of sizes) {
    const stalls = Object.fromEntries(names.map((n) => [n, []]));
    const p99 = Object.fromEntries(names.map((n) => [n, []]));
    for (let round = 0; round < rounds; round++) {
      // Rotate who goes first, so drift on a shared machine falls on every variant alike.
      for (let k = 0; k < names.length; k++) {
        const name = names[(round + k) % names.length];
        const { args, env: extra } = VARIANTS[name];
        const { stdout } = await timedProcess(process.execPath, args, {
          env: { ...env, ...extra, ANTHROPIC_BASE_URL: mock.url, MB: String(mb) },
          quiet: true,
        });
        const { maxMs, p99Ms } = JSON.parse(stdout);
        stalls[name].push(maxMs);
        p99[name].push(p99Ms);
      }
    }
    const m = Object.fromEntries(names.map((n) => [n, median(stalls[n])]));
    const q = Object.fromEntries(names.map((n) => [n, median(p99[n])]));
    table.push({ mb, m, q, all: stalls });
  }
} finally {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
}

// The hand-off, in process: a 4 MB body as the text the tap already has, against the alternatives.
const text = JSON.stringify({
  messages: Array.from({ length: 64 }, (_, i) => ({
    role: 'user',
    content: `file ${i}\n${'const value = items[index] // abc;\n'.repeat(1900)}`,
  })),
});
const parsed = JSON.parse(text);
const { port1, port2 } = new MessageChannel();
const time = (fn) =>
  median(
    Array.from({ length: 9 }, () => {
      const t = performance.now();
      fn();
      return performance.now() - t;
    }),
  );
const handoff = [
  ['postMessage of the body text (what the tap hands over)', time(() => port1.postMessage(text))],
  ["JSON.parse of the body (no longer on the agent's thread)", time(() => JSON.parse(text))],
  ['postMessage of the parsed body (a structured clone)', time(() => port1.postMessage(parsed))],
];
port1.close();
port2.close();

const fmt = (ms) => `${ms.toFixed(Math.abs(ms) < 10 ? 1 : 0)} ms`;
const rows = table.flatMap(({ mb, m, q }) => {
  const row = (what, x) => {
    const added = (v) => `${v - x.alone >= 0 ? '+' : ''}${fmt(v - x.alone)}`;
    return `| ${mb} MB, ${what} | ${fmt(x.alone)} | ${fmt(x.tee)} | ${fmt(x.before)} (${added(x.before)}) | ${fmt(x.after)} (${added(x.after)}) | ${(x.before / x.alone).toFixed(2)}× → ${(x.after / x.alone).toFixed(2)}× |`;
  };
  return [row('worst stall', m), row('p99 delay', q)];
});
const doc = `## Redaction off the agent's thread (bench/redact-stall.mjs)

The agent's worst event-loop stall and its 99th-percentile loop delay (\`monitorEventLoopDelay\`, 1 ms resolution) while it sends 4 requests of
1 MB and 4 MB of new content each through the Anthropic SDK to the mock, after a warm-up call (start-up work is
not in the figure). Fresh processes, the four variants' order rotated every round, median of ${rounds} rounds.
*before* is agenttap with \`AGENTTAP_REDACT_WORKER=0\` (parsing, redaction, blobs and pino on the agent's thread);
*after* is the default (an exchange's records go to the capture worker).

Machine: ${process.platform}/${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| prompt | agent alone | minimal tee | agenttap before (added) | agenttap after (added) | stall vs alone |
|---|---|---|---|---|---|
${rows.join('\n')}

What the agent's thread pays to hand a ${(text.length / 1024 / 1024).toFixed(1)} MB body over (median of 9, in process):

| step | time |
|---|---|
${handoff.map(([what, ms]) => `| ${what} | ${ms.toFixed(2)} ms |`).join('\n')}
`;
writeSection(join(root, 'BENCHMARKS.md'), 'redact-stall', doc);
process.stdout.write(doc);
process.stdout.write(`\nall runs (ms): ${JSON.stringify(table.map(({ mb, all }) => ({ mb, all })))}\n`);
