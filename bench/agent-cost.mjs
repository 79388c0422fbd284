// `node bench/agent-cost.mjs`: what agenttap costs the agent per exchange, side by side with the agent alone and a
// minimal in-process tee (bench/fixtures/min-tee.mjs), fresh processes, the three variants' order rotated every
// round, every figure a per-round difference to the agent alone in the same round; written to BENCHMARKS.md
// (section "agent-cost").
//   session — a 50-turn Claude Code-shaped session (bench/fixtures/cc-session.mjs, ~200 KB requests): CPU and minor
//             page faults of the agent's main thread and of the whole process per exchange (with what a fault costs
//             on this machine, bench/lib/page-fault-cost.mjs), time to first token and undici's
//             response-headers time, call by call inside the process
//   steady  — the same session once more per variant and round after STEADY_WARMUP warm-up calls: past V8's growth of
//             the agent's young generation, whose first touches otherwise land in the measured turns
//   on-path — the same session once more per variant and round between two fetch wrappers (bench/fixtures/bracket-*.mjs):
//             per call, the time the variant itself adds on the way to the first stream event, without comparing processes
//   paced   — agenttap's session once more per round, its calls BURST_MS + 10 ms apart: the capture worker's CPU per
//             exchange when each end wakes it (the session's back-to-back calls are a burst: src/log/capture-pacing.ts)
//   share   — the same session under agenttap and under the tee once more per round, profiled (V8's sampling profiler
//             over the measured turns): the variant's share of the thread's samples (each counted once) times the
//             thread's CPU time, per exchange (bench/lib/cpu-share.mjs); with the other threads' added CPU, the whole
//             process per exchange without the main thread's noisy difference.
//             The direct figure for "the main thread's CPU per exchange": the differences above are of two
//             processes' ~8 ms per exchange each, and on a shared machine those move by more than 0.5 ms run to run
//   stall   — the agent's worst event-loop stall while it sends 1 MB and 4 MB prompts (bench/fixtures/big-prompt.mjs)
// Each figure: the median over rounds, with the interquartile range of the rounds beside it.
// BENCH_ROUNDS (default 6), TURNS (default 50), BENCH_MB (default "1,4"), BENCH_PROFILE=0 to leave out the share.
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BURST_MS } from '../dist/src/log/capture-pacing.js';
import { startMock } from '../dist/src/mock/index.js';
import { cpuShare } from './lib/cpu-share.mjs';
import { median, quantile, root, timedProcess } from './lib/measure.mjs';
import { pageFaultCostUs } from './lib/page-fault-cost.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 6);
const turns = Number(process.env.TURNS ?? 50);
const sizes = (process.env.BENCH_MB ?? '1,4').split(',').map(Number);
const profiled = process.env.BENCH_PROFILE !== '0';
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-cost-'));
const env = {
  PATH: process.env.PATH,
  HOME: scratch,
  AGENTTAP_DIR: join(scratch, 'sessions'),
  AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
  ANTHROPIC_API_KEY: 'sk-ant-bench',
  TEE_FILE: join(scratch, 'tee.out'),
  // Time for the log writer and the capture worker to load after the warm-up call, before measuring.
  SETTLE_MS: process.env.SETTLE_MS ?? '1500',
};
const VARIANTS = {
  alone: [],
  tee: ['--import', './bench/fixtures/min-tee.mjs'],
  agenttap: ['--import', './loader'],
};
const names = Object.keys(VARIANTS);
const load0 = loadavg()[0];

/** Fetch wrappers below and above the variant's (bench/fixtures/bracket-*.mjs): the on-path row. */
const BRACKETS = ['--import', './bench/fixtures/bracket-below.mjs', '--import', './bench/fixtures/bracket-above.mjs'];

/**
 * Warm-up calls for the steady set (the first grows the conversation, the rest resend that request): past the
 * young generation's growth. V8 grows it by itself ~40 calls into this session (the new space from 16 to 32 MB on
 * Node 20), inside the measured turns after one warm-up call; the first touch of its new pages (~4 000 page faults,
 * once per process) falls into the window by as much as each variant allocates after the growth: a one-off that moves
 * the per-exchange figures by ~0.5 ms, even for a preload that does nothing per call.
 */
const STEADY_WARMUP = 80;

const run = async (name, script, extra, bracketed = false) => {
  const args = bracketed ? [...BRACKETS.slice(0, 2), ...VARIANTS[name], ...BRACKETS.slice(2)] : VARIANTS[name];
  const { stdout } = await timedProcess(process.execPath, [...args, join(root, script)], {
    env: { ...env, ...extra },
    quiet: true,
  });
  return JSON.parse(stdout);
};

/** Runs `script` under each variant `rounds` times, order rotated; the parsed JSON of each run, by variant. */
async function runAll(script, extra, bracketed = false) {
  const out = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = 0; round < rounds; round++)
    for (let k = 0; k < names.length; k++) {
      const name = names[(round + k) % names.length];
      out[name].push(await run(name, script, extra, bracketed));
    }
  return out;
}

/** What counts as each profiled variant's own code (bench/lib/cpu-share.mjs): the tee reads no stream of the agent's. */
const SUBJECTS = {
  agenttap: {},
  tee: { own: (path) => path === join(root, 'bench/fixtures/min-tee.mjs'), forwarded: false },
};

/**
 * Each profiled variant's own share of the main thread, per exchange, once per round (their order rotated): the same
 * session once more, profiled.
 */
async function shares(extra) {
  const out = { agenttap: [], tee: [] };
  const order = Object.keys(out);
  for (let round = 0; round < rounds; round++)
    for (let k = 0; k < order.length; k++) {
      const name = order[(round + k) % order.length];
      const options = SUBJECTS[name];
      const file = join(scratch, `share-${name}-${round}.cpuprofile`);
      const { mainMs } = await run(name, 'bench/fixtures/cc-session.mjs', { ...extra, CPU_PROFILE: file });
      // Each sample counts once: a thread waiting for a core lengthens the gap after whatever sample it was in (the
      // gaps' weighting is kept for comparison). Its share of the samples, times its CPU time (schedstat), is what it ran.
      const { ms, byFunction } = cpuShare(file, root, { weight: 'samples', ...options });
      const gaps = cpuShare(file, root, options).ms;
      const busyMs = ms.own + ms.forwarded + ms.other + ms.none;
      const busy = ms.own / busyMs;
      const busyByGaps = gaps.own / (gaps.own + gaps.forwarded + gaps.other + gaps.none);
      const scale = (busy * mainMs) / ms.own;
      out[name].push({
        perExchange: (busy * mainMs) / turns,
        forwarded: ((ms.forwarded / busyMs) * mainMs) / turns,
        byGaps: (busyByGaps * mainMs) / turns,
        busy,
        byFunction: byFunction.map(([k, v]) => [k, v * scale]),
      });
    }
  return out;
}

/** The median and the interquartile range of `xs`. */
const spread = (xs) => ({ median: median(xs), q1: quantile(xs, 0.25), q3: quantile(xs, 0.75) });
/** Per round, (variant − alone) of `pick(run)`, per exchange when `per` is given. */
const diffs = (runs, name, pick, per = 1) => runs[name].map((r, i) => (pick(r) - pick(runs.alone[i])) / per);

// Measured before the sessions, while the machine is as quiet as this run gets.
const faultUs = pageFaultCostUs();
const sessionMock = await startMock({
  script: () => ({ toolUse: { name: 'tool_0', input: { path: 'src/x.ts' } } }),
  maxReceived: 1,
});
const stallMock = await startMock({ maxReceived: 1 });
let session;
/** The same session after STEADY_WARMUP warm-up calls. */
let steady;
let bracketed;
/** agenttap's session once more per round, with a pause between calls: each exchange's end wakes its worker. */
const paced = [];
const PACED_MS = BURST_MS + 10;
let share = [];
let teeShare = [];
const stalls = [];
try {
  const sessionEnv = { ANTHROPIC_BASE_URL: sessionMock.url, TURNS: String(turns) };
  session = await runAll('bench/fixtures/cc-session.mjs', sessionEnv);
  steady = await runAll('bench/fixtures/cc-session.mjs', { ...sessionEnv, WARMUP: String(STEADY_WARMUP) });
  bracketed = await runAll('bench/fixtures/cc-session.mjs', sessionEnv, true);
  for (let round = 0; round < rounds; round++)
    paced.push(await run('agenttap', 'bench/fixtures/cc-session.mjs', { ...sessionEnv, PAUSE_MS: String(PACED_MS) }));
  if (profiled) ({ agenttap: share, tee: teeShare } = await shares(sessionEnv));
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

const signed = (v, digits) => `${v >= 0 ? '+' : ''}${v.toFixed(digits)}`;
/** "+1.23 ms (+0.90 … +1.50)": the median and the interquartile range. */
const ms = (xs, digits = 2) => {
  const { median: m, q1, q3 } = spread(xs);
  return `${signed(m, digits)} ms (${signed(q1, digits)} … ${signed(q3, digits)})`;
};
const callMedian = (key) => (r) => median(r[key]);
const cpuRow = (what, key, runs = session) => {
  const pick = (r) => r[key];
  const tee = diffs(runs, 'tee', pick, turns);
  const tap = diffs(runs, 'agenttap', pick, turns);
  const alone = median(runs.alone.map(pick)) / turns;
  // The acceptance's form (issue 13: whole process ≤ 1.2× the tee's): the ratio of the two medians — none when the
  // tee's is within the noise (a ratio to ~0 says nothing).
  const teeMedian = median(tee);
  const r = teeMedian > 0.1 ? `${(median(tap) / teeMedian).toFixed(2)}×` : "— (the tee's within noise)";
  return `| ${what} | ${alone.toFixed(2)} ms | ${ms(tee)} | ${ms(tap)} | ${r} |`;
};
/** The capture worker's CPU per exchange when each end wakes it (calls PACED_MS apart), against the session's. */
const pacedRow = () =>
  `| the capture worker, calls ${PACED_MS} ms apart (each end wakes it: src/log/capture-pacing.ts) | | | ${ms(paced.map((r) => r.startedMs / turns))} | |`;
/** Minor page faults per exchange: the agent's count, each variant's added count, and what that adds at this machine's cost. */
const faultRow = (what, key, runs = session) => {
  const pick = (r) => r[key];
  const alone = median(runs.alone.map(pick)) / turns;
  const cell = (name) => {
    const { median: m, q1, q3 } = spread(diffs(runs, name, pick, turns));
    return `${signed(m, 0)} (${signed(q1, 0)} … ${signed(q3, 0)}), ≈ ${signed((m * faultUs) / 1000, 2)} ms`;
  };
  return `| ${what} | ${alone.toFixed(0)} | ${cell('tee')} | ${cell('agenttap')} | |`;
};
const callRow = (what, key) => {
  const alone = median(session.alone.map(callMedian(key)));
  return `| ${what} | ${alone.toFixed(2)} ms | ${ms(diffs(session, 'tee', callMedian(key)))} | ${ms(diffs(session, 'agenttap', callMedian(key)))} | |`;
};
/** Per call, inside one process: the time between the fetch wrappers below and above the variant (its own work). */
const onPathRow = () => {
  const alone = median(bracketed.alone.map(callMedian('onPath')));
  const of = (name) => ms(diffs(bracketed, name, callMedian('onPath')), 3);
  return `| on the way to the first token, the variant's own time (per call, between fetch wrappers below and above it), median call | ${alone.toFixed(3)} ms | ${of('tee')} | ${of('agenttap')} | |`;
};
const ratio = (xs) => {
  const { median: m, q1, q3 } = spread(xs);
  return `${m.toFixed(2)}× (${q1.toFixed(2)} … ${q3.toFixed(2)})`;
};
const stallRows = stalls.map(({ mb, runs }) => {
  const alone = median(runs.alone.map((r) => r.maxMs));
  const of = (name) => ratio(runs[name].map((r, i) => r.maxMs / runs.alone[i].maxMs));
  return `| worst event-loop stall, ${mb} MB prompts (ratio to the agent's own) | ${alone.toFixed(1)} ms | ${of('tee')} | ${of('agenttap')} | |`;
});
const shareRow = () => {
  if (share.length === 0) return '';
  const cell = (xs) => {
    const { median: m, q1, q3 } = spread(xs.map((s) => s.perExchange));
    return `${m.toFixed(2)} ms (${q1.toFixed(2)} … ${q3.toFixed(2)})`;
  };
  const busy = (xs) => median(xs.map((s) => s.busy * 100)).toFixed(1);
  const r = median(share.map((s) => s.perExchange)) / median(teeShare.map((s) => s.perExchange));
  return `| own code on the main thread per exchange (profiled; tee ${busy(teeShare)}%, agenttap ${busy(share)}% of the busy samples) | | ${cell(teeShare)} | ${cell(share)} | ${r.toFixed(2)}× |`;
};
/**
 * The whole process from the steadier parts, per round: the profiled own code on the main thread, plus the added CPU of
 * the threads the first model call started and of the runtime's other threads (schedstat differences to the agent
 * alone, from the same round's session runs), where the main thread's own difference moves by a millisecond.
 */
const wholeFromShareRow = () => {
  if (share.length === 0) return '';
  const added = (name, key) => diffs(session, name, (r) => r[key], turns);
  const whole = (name, own) => {
    const started = added(name, 'startedMs');
    const runtime = added(name, 'runtimeMs');
    return own.map((s, i) => s.perExchange + started[i] + runtime[i]);
  };
  const tee = whole('tee', teeShare);
  const tap = whole('agenttap', share);
  return `| whole process's CPU per exchange, from the profiled own code and the other threads' added CPU | | ${ms(tee)} | ${ms(tap)} | ${(median(tap) / median(tee)).toFixed(2)}× |`;
};
/** The share weighted by the samples' gaps (wall time, waits for a core included), for comparison. */
const byGapsText = () => {
  if (share.length === 0) return '(not profiled)';
  const { median: m, q1, q3 } = spread(share.map((s) => s.byGaps));
  return `${m.toFixed(2)} ms (${q1.toFixed(2)} … ${q3.toFixed(2)})`;
};
/** Node's web-stream code run under agenttap's wrappers for the agent (bench/lib/cpu-share.mjs), per exchange. */
const forwardedText = () => {
  if (share.length === 0) return '(not profiled)';
  const { median: m, q1, q3 } = spread(share.map((s) => s.forwarded));
  return `${m.toFixed(2)} ms (${q1.toFixed(2)} … ${q3.toFixed(2)})`;
};
/** agenttap's functions by self time over all profiled rounds, per exchange. */
const topFunctions = () => {
  const sum = new Map();
  for (const s of share) for (const [k, v] of s.byFunction) sum.set(k, (sum.get(k) ?? 0) + v);
  return [...sum]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, v]) => `\`${k}\` ${((v / share.length / turns) * 1000).toFixed(0)} µs`)
    .join(', ');
};
const firstKb = (session.alone[0].firstBytes / 1024).toFixed(0);
const aloneProcessMs = median(session.alone.map((r) => r.processMs)) / turns;
/** The agent alone's wall time per measured call. */
const exchangeMs = () => median(session.alone.map((r) => r.wallMs)) / turns;
const doc = `## What the agent pays per exchange (bench/agent-cost.mjs)

A ${turns}-turn Claude Code-shaped session (streamed Messages calls through @anthropic-ai/sdk to the mock, a
${firstKb} KB request at the first measured turn growing ~2 KB a turn, the cache marker moved every turn), after one
warm-up call and a pause (start-up work is not in the figures): CPU of the agent's main thread (Linux schedstat of
the thread whose id is the pid) and of the whole process (\`process.cpuUsage\`, the capture worker included) per
exchange, and the whole process's split by thread (schedstat of each): the threads that first appear at the first
model call, and the other threads but the main one (those there before it: V8's platform threads, which compile and
collect garbage for every isolate, and libuv's pool); per call, the time to the first stream event and the response headers' arrival as undici times it
(resource timing, \`responseStart − fetchStart\`). Then the agent's worst event-loop stall while it sends 4 prompts of
1 MB and 4 MB of new content (bench/fixtures/big-prompt.mjs). The time to first token compares processes, so it moves
with all they share (the machine, the mock, the capture worker's CPU); the on-path row times each call inside one
process instead: the session once more per round with two plain fetch wrappers loaded below and above the variant
(bench/fixtures/bracket-*.mjs), taking, per call, (first stream event − the agent's fetch call) − (first body chunk
− the real fetch's call); the agent alone has only the wrappers' own time there. Fresh processes, the three variants' order rotated
every round; each figure is the median over ${rounds} rounds of the difference (or ratio) to the agent alone in the
same round, with the interquartile range of the rounds in brackets. The session's calls come back to back (an
exchange every ~${exchangeMs().toFixed(0)} ms), so to agenttap their ends are a burst (src/log/capture-pacing.ts): they cross to its capture
worker a few at a time, within 250 ms. The paced row is agenttap's session once more per round with ${PACED_MS} ms between
calls, where each end wakes the worker, as at a model's and a tool's pace.

The differences of CPU are between processes that each spend ~${aloneProcessMs.toFixed(0)} ms per exchange, and on a shared machine they move
by more than 0.5 ms from run to run (the minimal tee's has read +1.4 and +3.2 ms an hour apart): the main thread's
CPU that each variant adds is read from the profiled row instead — the same session under agenttap and under the tee,
each profiled once more per round (V8's sampling profiler, 100 µs, over the measured turns only): the share of the
thread's busy samples whose code is the variant's (agenttap's files, or bench/fixtures/min-tee.mjs, and Node internals
and their own dependencies called from them; not the agent's SDK, not undici, not garbage collection), times the
thread's CPU time in that run, per exchange. The row after the whole process's is that process figure built from the
steadier parts, per round: the profiled own code plus the added CPU of the other threads (those the first model call
started, and the runtime's). It is a lower bound for both variants: the profiled share leaves out the garbage
collection a variant's allocations cause and any slowing of the agent's own code (agenttap's main thread adds more by
difference than its own code's share; the tee's, about the same). Node's web-stream
code under agenttap's in-place wrappers is the agent's own reading of its response (read, getReader, releaseLock),
forwarded, and is counted as the agent's: ${forwardedText()} per exchange (it was in agenttap's share until 2026-12-04). Each sample counts
once: the profiler samples the thread only while it runs, so the gap after a sample also holds any time the thread
waited for a core — after waking the capture worker, the worker may take the agent's core for its work (the
thread's nonvoluntary context switches show it, inside \`postMessage\`). Weighted by those gaps instead, as this row
was until 2026-12-03, the same profiles read ${byGapsText()} per exchange. The profiler's
overhead inflates the CPU time somewhat (so the figure too); a first touch of the
request text (V8 flattening the string \`JSON.stringify\` built, which undici would otherwise pay) is charged to
whoever touches it first.

Page faults: a first touch of a 4 KB page costs ${faultUs.toFixed(1)} µs on this machine (bench/lib/page-fault-cost.mjs:
filling a fresh 64 MiB buffer, minus filling it again; outside a VM it is typically well under 1 µs). So the agent's own
copies of its 200 KB request into fresh memory are much of its main thread's CPU, and how many of them land on fresh
pages moves with whatever changes how V8 sizes the agent's young generation — another tool's allocations in its
thread included, in either direction. The faults row counts them, with their cost at this machine's rate: compare it
with the main thread's difference above the variant's own code. V8 grows the young generation by itself ~40 calls into
this session (the new space from 16 to 32 MB on Node 20, in every variant, inside the measured turns); the first
touches of its new pages (~4 000 faults, once per process) fall into the measured turns by as much as each variant
allocates after the growth, so they move the per-exchange figures of all three (a preload that only loads agenttap,
\`AGENTTAP_ENABLED=false\`, moved the agent's faults by 0 to +40 per exchange from run to run; \`perf record -e
page-faults\` puts agenttap's excess in the agent's own \`JSON.stringify\` of its request, writing into those pages). The rows "after
${STEADY_WARMUP} warm-up calls" are the same session once more per round with ${STEADY_WARMUP - 1} more warm-up calls (each resending the
first one's request), past that growth in all three: what remains in the window is each variant's cost per exchange
once the agent's heap has the size it keeps. They still move by tens of faults per exchange between variants and runs,
in either direction (a run has read agenttap −47 faults and −0.35 ms on the main thread): read them as "no faults
added", not as a saving. (Fixing the size with \`--min-semi-space-size\` instead applies to every
isolate: agenttap's capture worker, bounded to a few MB on purpose, then touches a larger young generation of its own.)

Machine: ${process.platform}/${process.arch}, Node ${process.version}, load average ${load0.toFixed(1)} at the start and ${loadavg()[0].toFixed(1)} at the end, ${new Date().toISOString().slice(0, 10)}.

| figure | agent alone | minimal tee (added) | agenttap (added) | agenttap ÷ tee (medians) |
|---|---|---|---|---|
${[
  shareRow(),
  cpuRow("main thread's CPU per exchange", 'mainMs'),
  faultRow("main thread's minor page faults per exchange (and their cost at this machine's)", 'mainFaults'),
  cpuRow("whole process's CPU per exchange", 'processMs'),
  wholeFromShareRow(),
  cpuRow(`main thread's CPU per exchange, after ${STEADY_WARMUP} warm-up calls`, 'mainMs', steady),
  faultRow(`main thread's minor page faults per exchange, after ${STEADY_WARMUP} warm-up calls`, 'mainFaults', steady),
  cpuRow(`whole process's CPU per exchange, after ${STEADY_WARMUP} warm-up calls`, 'processMs', steady),
  cpuRow(`of which: the capture worker, after ${STEADY_WARMUP} warm-up calls`, 'startedMs', steady),
  cpuRow('of which: threads the first model call started (agenttap: its capture worker)', 'startedMs'),
  cpuRow("of which: the runtime's other threads (V8's compiler and GC)", 'runtimeMs'),
  pacedRow(),
  faultRow("whole process's minor page faults per exchange", 'processFaults'),
  callRow('time to first token, median call', 'ttft'),
  onPathRow(),
  callRow("response headers (undici's timing), median call", 'headers'),
  ...stallRows,
]
  .filter(Boolean)
  .join('\n')}
${share.length > 0 ? `\nWhere agenttap's share goes (self time per exchange): ${topFunctions()}.\n` : ''}`;
writeSection(join(root, 'BENCHMARKS.md'), 'agent-cost', doc);
process.stdout.write(doc);
