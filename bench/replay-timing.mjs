// Does `agenttap replay` keep a stream's recorded timing? A real @anthropic-ai/sdk agent (examples/anthropic-agent.mjs)
// under the loader reads streams from a loopback server that paces its events by irregular gaps (2–80 ms, seeded);
// the session is then replayed with `replaySession` (recorded timing, speed 1) to the same agent, again under the
// loader. Both captures record each SSE event's arrival at the agent (`exchange.end` `chunk_ms`): the error is the
// replayed gap minus the recorded one, per event — median and p95 of its absolute value, and the whole stream's
// duration replayed / recorded.
//   `node bench/replay-timing.mjs [--write]`   (BENCH_STREAMS, default 5; BENCH_EVENTS per stream, default 60)
import http from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExpanded } from '../dist/src/log/read.js';
import { replaySession } from '../dist/src/replay/index.js';
import { median, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const streams = Number(process.env.BENCH_STREAMS ?? 5);
const deltas = Number(process.env.BENCH_EVENTS ?? 60);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-replay-'));
const agent = join(root, 'examples/anthropic-agent.mjs');
const loader = join(root, 'loader');

/** A deterministic PRNG (mulberry32): the same gaps every run. */
function prng(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Anthropic's event sequence for one text answer of `deltas` pieces. */
function events(id) {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const usage = { input_tokens: 12, output_tokens: deltas, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  const message = { id, type: 'message', role: 'assistant', model: 'claude-sonnet-5-5', content: [] };
  return [
    ev('message_start', { message: { ...message, stop_reason: null, stop_sequence: null, usage } }),
    ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
    ev('ping', {}),
    ...Array.from({ length: deltas }, (_, i) =>
      ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: `word${i} ` } }),
    ),
    ev('content_block_stop', { index: 0 }),
    ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage }),
    ev('message_stop', {}),
  ];
}

/** The paced upstream: each event after an irregular gap. */
async function pacedServer() {
  const random = prng(15);
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'request-id': `req_${++n}` });
      for (const text of events(`msg_bench_${n}`)) {
        await new Promise((r) => setTimeout(r, 2 + Math.floor(random() * 78)));
        res.write(text);
      }
      res.end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}

/** Runs the agent once per stream under the loader, logging into `session`. */
async function runAgents(baseUrl, session) {
  const env = {
    PATH: process.env.PATH,
    HOME: scratch,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-bench',
    AGENTTAP_DIR: join(scratch, 'sessions'),
    AGENTTAP_SESSION: session,
    AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
  };
  for (let i = 0; i < streams; i++)
    await timedProcess(process.execPath, ['--import', loader, agent, `stream ${i}`], { env, cwd: scratch });
  return join(scratch, 'sessions', session);
}

/** Each streamed exchange's chunk_ms, in request order (the agent's task names it). */
async function gapsOf(dir) {
  const byId = new Map();
  const order = [];
  for await (const { event } of readExpanded(dir)) {
    if (event.event === 'exchange.request') order.push([event.exchange, JSON.stringify(event.body?.messages)]);
    if (event.event === 'exchange.end' && event.chunk_ms) byId.set(event.exchange, event.chunk_ms);
  }
  return new Map(order.map(([id, key]) => [key, byId.get(id)]));
}

const upstream = await pacedServer();
const recordedDir = await runAgents(upstream.url, 'recorded');
await upstream.close();
// The baseline: the same paced streams read again (same seed), straight from the server — the machine's own jitter.
const upstream2 = await pacedServer();
const againDir = await runAgents(upstream2.url, 'again');
await upstream2.close();
const replay = await replaySession(recordedDir, {
  reportFile: false,
  env: { AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key') },
});
const replayedDir = await runAgents(replay.url, 'replayed');
await replay.close();
if (replay.misses.length) throw new Error(`replay missed: ${replay.misses.map((m) => m.short).join('\n')}`);

const recorded = await gapsOf(recordedDir);

/** Per-gap and per-offset errors of `other` against the recording, and each stream's duration ratio. */
function compare(other) {
  const errors = [];
  const offsets = [];
  const durations = [];
  for (const [key, gaps] of recorded) {
    const again = other.get(key);
    if (!gaps || !again || again.length !== gaps.length) throw new Error(`stream ${key}: event counts differ`);
    // The first gap is from the response headers; every later one is between two events.
    let at = 0;
    let atAgain = 0;
    for (let i = 1; i < gaps.length; i++) {
      errors.push(Math.abs(again[i] - gaps[i]));
      at += gaps[i];
      atAgain += again[i];
      offsets.push(Math.abs(atAgain - at));
    }
    const sum = (xs) => xs.slice(1).reduce((a, b) => a + b, 0);
    durations.push(sum(again) / sum(gaps));
  }
  return { errors, offsets, durations };
}
const replayedRun = compare(await gapsOf(replayedDir));
const baseline = compare(await gapsOf(againDir));
const p95 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.95))];
const max = (xs) => Math.max(...xs);
const recordedGaps = [...recorded.values()].flatMap((g) => g.slice(1));
const row = (what, f) => `| ${what} | ${f(replayedRun)} | ${f(baseline)} |`;
const doc = `## Replay timing (\`bench/replay-timing.mjs\`)

A real \`@anthropic-ai/sdk\` agent under the loader reads ${streams} streams of ${deltas + 6} events whose gaps are
irregular (2–80 ms, median ${median(recordedGaps)} ms as recorded); \`agenttap replay\` serves the session back to the
same agent. Both captures time each event's arrival at the agent (\`chunk_ms\`). Baseline: the same streams read
again straight from the pacing server (the machine's own jitter).

| error against the recording, ms (${replayedRun.errors.length} gaps) | replay | baseline: the server again |
|---|---|---|
${row('inter-event gap: median', (r) => median(r.errors))}
${row('inter-event gap: p95', (r) => p95(r.errors))}
${row('inter-event gap: max', (r) => max(r.errors))}
${row("event's time from the stream's first event: median / p95", (r) => `${median(r.offsets)} / ${p95(r.offsets)}`)}
${row('stream duration ratio to the recording (median)', (r) => median(r.durations).toFixed(3))}
`;
if (process.argv.includes('--write')) writeSection(join(root, 'BENCHMARKS.md'), 'replay-timing', doc);
process.stdout.write(doc);
