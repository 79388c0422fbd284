// `node bench/rules.mjs`: what the rewrite rules cost an agent, as ratios against baselines measured in the
// same run, written to BENCHMARKS.md (section "rules").
//   1. a 50-turn coding-agent session (Claude Code's cache-marker shape) under the loader, with the rules vs
//      without: whole process, fresh processes alternating, median of paired ratios
//   2. the rules step per request (classifier, matching, actions, validity check, cache ledger) on the same 50
//      requests, in process, against serialising each request body once (what the SDK itself does per call)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { loadRulesStep } from '../dist/src/policy/rewrite/load-step.js';
import { median, paired, root, timedProcess } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const pairs = Number(process.env.BENCH_PAIRS ?? 7);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-rules-'));
const TURNS = 50;
const rulesFile = join(scratch, 'rules.json');
writeFileSync(
  rulesFile,
  JSON.stringify({
    rules: [
      {
        id: 'loop-to-haiku',
        match: { mechanism: ['main-loop', 'tool-round-trip'], model: 'claude-sonnet-*' },
        actions: [
          { type: 'setModel', to: 'claude-haiku-4-5' },
          { type: 'capMaxTokens', max: 512 },
        ],
      },
      { id: 'cut-tool-results', actions: [{ type: 'truncate', maxChars: 1000 }] },
    ],
  }),
);
const env = {
  PATH: process.env.PATH,
  HOME: scratch,
  AGENTTAP_DIR: join(scratch, 'sessions'),
  AGENTTAP_KEY_FILE: join(root, 'tests/fixtures/redaction.key'),
  ANTHROPIC_API_KEY: 'sk-ant-bench',
  TURNS: String(TURNS),
  MOVE_CACHE: '1',
};
const app = join(root, 'tests/fixtures/apps/long-session.mjs');

const timeRun = async (args, extra) => (await timedProcess(process.execPath, args, { env: { ...env, ...extra } })).ms;

const script = Array.from({ length: TURNS - 1 }, (_, i) => ({
  toolUse: { name: 'read_file', input: { path: `src/m${i}.ts` } },
}));
const mock = await startMock({ script, maxReceived: TURNS });
const rows = [];
try {
  // 1. Whole process.
  const withLoader = (extra) => async () => {
    mock.reset();
    return timeRun(['--import', './loader', app], { ANTHROPIC_BASE_URL: mock.url, ...extra });
  };
  const whole = await paired(pairs, withLoader({}), withLoader({ AGENTTAP_RULES: rulesFile }));
  rows.push([
    `${TURNS}-turn session under the loader: with the rules vs without (whole process)`,
    `${whole.baseline.toFixed(0)} ms`,
    `${whole.subject.toFixed(0)} ms`,
    whole.ratio,
  ]);

  // 2. The step alone, on the agent's own requests (from a run without rules).
  mock.reset();
  await timeRun(['--import', './loader', app], { ANTHROPIC_BASE_URL: mock.url });
  const requests = mock.received.map((r) => r.body);
  const chars = requests.map((body) => JSON.stringify(body).length); // the tap hands the step the text's length
  const headers = { 'user-agent': 'bench', 'content-type': 'application/json' };
  const rounds = 15;
  const stepTimes = [],
    serialiseTimes = [];
  let rewritten = 0;
  for (let round = 0; round < rounds; round++) {
    let t = performance.now();
    for (const body of requests) JSON.stringify(body);
    serialiseTimes.push(performance.now() - t);
    const fresh = await loadRulesStep({ rules: rulesFile, dryRun: false }); // a new conversation ledger each round
    t = performance.now();
    for (let i = 0; i < requests.length; i++) {
      if (
        fresh({
          provider: 'anthropic',
          endpoint: 'anthropic.messages',
          method: 'POST',
          path: '/v1/messages',
          headers,
          body: requests[i],
          bodyChars: chars[i],
        })?.send
      )
        rewritten++;
    }
    stepTimes.push(performance.now() - t);
  }
  const perStep = median(stepTimes) / requests.length,
    perSerialise = median(serialiseTimes) / requests.length;
  rows.push([
    `rules step per request (${requests.length} requests, ${rewritten / rounds} rewritten) vs serialising the body`,
    `${perSerialise.toFixed(3)} ms`,
    `${perStep.toFixed(3)} ms`,
    perStep / perSerialise,
  ]);
} finally {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
}

const doc = `## Rewrite rules (bench/rules.mjs)

Machine: ${process.platform}/${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Rules: a
mechanism + model match that swaps the model and caps max_tokens, and a truncate of tool results over 1 000 characters.

| question | baseline | with the rules | ratio |
|---|---|---|---|
${rows.map(([what, b, s, r]) => `| ${what} | ${b} | ${s} | ${r.toFixed(3)}× |`).join('\n')}

Reading the figures:
- **whole process**: ${pairs} fresh-process pairs, alternating, median of paired ratios; the baseline already runs
  the loader, so this is what the rules add: loading them (zod, the classifier's signatures), and per request the
  classifier, the actions, the validity check and the prompt-cache ledger. Against the local mock there is no network
  to hide behind.
- **per request**: the same requests in process; the baseline is one \`JSON.stringify\` of the body, which the SDK
  does for every call anyway. The step parses nothing (the tap hands it the parsed body and its length); it
  fingerprints each message once for the cache ledger (the rewritten request reuses the original's unchanged
  parts), runs the classifier and the validity check, and serialises the rewritten body once, to send it.
`;
writeSection(join(root, 'BENCHMARKS.md'), 'rules', doc);
console.log(doc);
