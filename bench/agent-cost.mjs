// `node bench/agent-cost.mjs`: what agenttap costs the agent per exchange, side by side with the agent alone and a
// minimal in-process tee (bench/fixtures/min-tee.mjs), fresh processes, the three variants' order rotated every
// round, medians of per-round differences; written to BENCHMARKS.md (section "agent-cost").
//   session — a 50-turn Claude Code-shaped session (bench/fixtures/cc-session.mjs, ~200 KB requests): CPU of the
//             agent's main thread and of the whole process per exchange, time to first token and undici's
//             response-headers time, call by call inside the process
//   stall   — the agent's worst event-loop stall while it sends 1 MB and 4 MB prompts (bench/fixtures/big-prompt.mjs)
// BENCH_ROUNDS (default 5), TURNS (default 50), BENCH_MB (default "1,4").
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { median, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 5);
const turns = Number(process.env.TURNS ?? 50);
const sizes = (process.env.BENCH_MB ?? '1,4').split(',').map(Number);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-cost-'));
const env = {
  PATH: process.env.PATH,
  HOME: scratch,
  AGENTTAP_DIR: join(scratch, 'sessions'),
  AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
  ANTHROPIC_API_KEY: 'sk-ant-bench',
  TEE_FILE: join(scratch, 'tee.out'),
  // Time for the log writer and the capture worker to load after the warm-up call, before measuring.
  SETTLE_MS: process.env.SETTLE_MS ?? '2000',
};
const VARIANTS = {
  alone: [],
  tee: ['--import', './bench/fixtures/min-tee.mjs'],
  agenttap: ['--import', './loader'],
};
const names = Object.keys(VARIANTS);
const load0 = loadavg()[0];

/** Runs `script` under each variant `rounds` times, order rotated; the parsed JSON of each run, by variant. */
async function runAll(script, extra) {
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      const { stdout } = await timedProcess(process.execPath, [...VARIANTS[name], join(root, script)], {
        env: { ...env, ...extra },
        quiet: true,
      });
      out[name].push(JSON.parse(stdout));
    }
  }
  return out;
}

/** Median over rounds of (variant − alone) for `pick(run)`, per exchange when `per` is given. */
const added = (runs, name, pick, per = 1) =>
  median(runs[name].map((run, i) => (pick(run) - pick(runs.alone[i])) / per));
const med = (runs, name, pick) => median(runs[name].map(pick));

const sessionMock = await startMock({
  script: () => ({ toolUse: { name: 'tool_0', input: { path: 'src/x.ts' } } }),
  maxReceived: 1,
});
const stallMock = await startMock({ maxReceived: 1 });
let session;
const stalls = [];
try {
  session = await runAll('bench/fixtures/cc-session.mjs', {
    ANTHROPIC_BASE_URL: sessionMock.url,
    TURNS: String(turns),
  });
  for (const mb of sizes)
    stalls.push({
      mb,
      runs: await runAll('bench/fixtures/big-prompt.mjs', {
        ANTHROPIC_BASE_URL: stallMock.url,
        MB: String(mb),
        CALLS: '4',
      }),
    });
} finally {
  await sessionMock.close();
  await stallMock.close();
  rmSync(scratch, { recursive: true, force: true });
}

const ms = (v, digits = 2) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)} ms`;
const callMedian = (key) => (run) => median(run[key]);
const cpuRow = (what, key) => {
  const tee = added(session, 'tee', (r) => r[key], turns);
  const tap = added(session, 'agenttap', (r) => r[key], turns);
  const alone = med(session, 'alone', (r) => r[key]) / turns;
  return `| ${what} | ${alone.toFixed(2)} ms | ${ms(tee)} | ${ms(tap)} | ${(tap / tee).toFixed(2)}× |`;
};
const callRow = (what, key) => {
  const alone = med(session, 'alone', callMedian(key));
  const tee = added(session, 'tee', callMedian(key));
  const tap = added(session, 'agenttap', callMedian(key));
  return `| ${what} | ${alone.toFixed(2)} ms | ${ms(tee)} | ${ms(tap)} | |`;
};
const stallRows = stalls.map(({ mb, runs }) => {
  const m = Object.fromEntries(names.map((n) => [n, med(runs, n, (r) => r.maxMs)]));
  const ratio = median(runs.agenttap.map((r, i) => r.maxMs / runs.alone[i].maxMs));
  return `| worst event-loop stall, ${mb} MB prompts | ${m.alone.toFixed(1)} ms | ${m.tee.toFixed(1)} ms | ${m.agenttap.toFixed(1)} ms | ${ratio.toFixed(2)}× the agent's own |`;
});
const firstKb = (session.alone[0].firstBytes / 1024).toFixed(0);
const doc = `## What the agent pays per exchange (bench/agent-cost.mjs)

A ${turns}-turn Claude Code-shaped session (streamed Messages calls through @anthropic-ai/sdk to the mock, a
${firstKb} KB request at the first measured turn growing ~2 KB a turn, the cache marker moved every turn), after one
warm-up call and a pause (start-up work is not in the figures): CPU of the agent's main thread (Linux schedstat of
the thread whose id is the pid) and of the whole process (\`process.cpuUsage\`, the capture worker included) per
exchange; per call, the time to the first stream event and the response headers' arrival as undici times it
(resource timing, \`responseStart − fetchStart\`). Then the agent's worst event-loop stall while it sends 4 prompts of
1 MB and 4 MB of new content (bench/fixtures/big-prompt.mjs). Fresh processes, the three variants' order rotated
every round; each figure is the median over ${rounds} rounds of the difference to the agent alone in the same round.

Machine: ${process.platform}/${process.arch}, Node ${process.version}, load average ${load0.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, ${new Date().toISOString().slice(0, 10)}.

| figure | agent alone | minimal tee (added) | agenttap (added) | agenttap vs tee |
|---|---|---|---|---|
${cpuRow("main thread's CPU per exchange", 'mainMs')}
${cpuRow("whole process's CPU per exchange", 'processMs')}
${callRow('time to first token, median call', 'ttft')}
${callRow("response headers (undici's timing), median call", 'headers')}
${stallRows.join('\n')}
`;
writeSection(join(root, 'BENCHMARKS.md'), 'agent-cost', doc);
process.stdout.write(doc);
