// Answers one question: what does a process pay for agenttap's loader when it starts — and when it makes one model
// call — next to a minimal in-process fetch tee (bench/fixtures/min-tee.mjs, the near-limit baseline of issue 13)?
// Fresh processes, paired in rounds, the order rotating each round: plain `node`, the tee, agenttap. Each process
// reports, from inside: when its first line ran (performance.now(), from process start), its CPU then, and its
// whole-process CPU at exit (process.resourceUsage(), user + system). "Added" = minus plain node in the same run;
// the acceptance is agenttap's added time ≤ 1.3× the tee's, added CPU ≤ 1.5× (with and without a config file).
// Per Node: the running one and the majors in BENCH_NODES (default "22 24", from bench/lib/node-bin.mjs; "" for the
// running Node alone). On Node ≥ 22 agenttap's default includes the SDK layer's module hooks.
// Writes the "startup" section of BENCHMARKS.md.
//   node bench/startup.mjs           (after `npm run build`; BENCH_ROUNDS=61 by default; run it on a quiet machine)
// 61 rounds: on a machine whose plain `node` starts in ~25 ms, the tee adds ~6–13 ms and 21 rounds moved its median
// by 3 ms between two scenarios that are the same for it (the ratios by 0.3×); 61 take ~1 min per Node version.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { median, root, timedProcess } from './lib/measure.mjs';
import { ensureNode } from './lib/node-bin.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 61);
const majors = (process.env.BENCH_NODES ?? '22 24').split(/[ ,]+/).filter(Boolean).map(Number);
const nodes = [process.execPath, ...majors.map(ensureNode)];
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-startup-'));
const config = join(scratch, 'agenttap.config.json');
writeFileSync(
  config,
  JSON.stringify({ dir: join(scratch, 'configured'), endpoints: [{ host: 'llm.internal.example' }], capture: {} }),
);

// What every subject runs: facts about its start kept at its first line, printed at exit with its CPU then.
const report = `const u0=process.resourceUsage(),f={first:performance.now(),cpuFirst:(u0.userCPUTime+u0.systemCPUTime)/1e3,modules:process.moduleLoadList.length};process.on('exit',()=>{const u=process.resourceUsage();process.stdout.write(JSON.stringify({...f,cpu:(u.userCPUTime+u.systemCPUTime)/1e3,end:performance.now()}))});`;
// One streamed call to the mock, read to the end, then process.exit() (undici's keep-alive socket would hold an
// ending process ~4 s): agenttap writes its records in the exit, as in a `node -e` helper that calls a model once.
const oneCall = `${report}fetch(process.env.MOCK_URL+'/v1/messages',{method:'POST',headers:{'content-type':'application/json','x-api-key':'sk-ant-bench','anthropic-version':'2023-06-01'},body:JSON.stringify({model:'claude-sonnet-4-5',max_tokens:64,stream:true,messages:[{role:'user',content:'hello'}]})}).then(r=>r.text()).then(()=>process.exit(0));`;

const subjects = {
  plain: [],
  tee: ['--import', join(root, 'bench/fixtures/min-tee.mjs')],
  agenttap: ['--import', join(root, 'loader')],
};

const mock = await startMock({ maxReceived: 10 });
const scenarios = [
  { name: 'no model call, defaults (no config)', code: report, env: {} },
  { name: 'no model call, a config file to validate', code: report, env: { AGENTTAP_CONFIG: config } },
  { name: 'one streamed model call', code: oneCall, env: { MOCK_URL: mock.url } },
];

async function measure(bin, { code, env }) {
  const runs = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
  const order = Object.keys(subjects);
  for (let r = 0; r < rounds + 1; r++) {
    for (let i = 0; i < order.length; i++) {
      const key = order[(i + r) % order.length];
      const { stdout } = await timedProcess(bin, [...subjects[key], '-e', code], {
        cwd: scratch, // agenttap's default log folder lands in the scratch folder
        env: { PATH: process.env.PATH, HOME: scratch, TEE_FILE: join(scratch, 'tee.ndjson'), ...env },
        timeoutMs: 60_000,
        quiet: true,
      });
      if (r > 0) runs[key].push(JSON.parse(stdout)); // round 0 warms the disk cache
    }
  }
  const med = (key, field) => median(runs[key].map((x) => x[field]));
  const added = (key, field) => med(key, field) - med('plain', field);
  return { med, added };
}

const rows = [];
try {
  for (const bin of nodes) {
    const node = (
      await timedProcess(bin, ['-p', 'process.version'], { env: { PATH: process.env.PATH } })
    ).stdout.trim();
    for (const scenario of scenarios) {
      const { med, added } = await measure(bin, scenario);
      const timeField = scenario.code === oneCall ? 'end' : 'first';
      rows.push({ node, name: scenario.name, timeField, med, added });
      console.error(
        `${node} ${scenario.name}: ${timeField} plain ${med('plain', timeField).toFixed(1)} ms, tee +${added('tee', timeField).toFixed(1)}, agenttap +${added('agenttap', timeField).toFixed(1)}; cpu tee +${added('tee', 'cpu').toFixed(1)}, agenttap +${added('agenttap', 'cpu').toFixed(1)}`,
      );
    }
  }
} finally {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
}

const ms = (x) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`;
const ratio = (a, b) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');
const table = rows
  .map(({ node, name, timeField, med, added }) => {
    const what = timeField === 'end' ? 'process end' : 'first line';
    return `| ${node} | ${name} | ${what}: ${med('plain', timeField).toFixed(1)} ms | ${ms(added('tee', timeField))} | ${ms(added('agenttap', timeField))} (${ratio(added('agenttap', timeField), added('tee', timeField))}) | ${med('plain', 'cpu').toFixed(1)} ms | ${ms(added('tee', 'cpu'))} | ${ms(added('agenttap', 'cpu'))} (${ratio(added('agenttap', 'cpu'), added('tee', 'cpu'))}) | ${med('plain', 'modules')} / ${med('tee', 'modules')} / ${med('agenttap', 'modules')} |`;
  })
  .join('\n');

writeSection(
  join(root, 'BENCHMARKS.md'),
  'startup',
  `## Start-up cost per process (bench/startup.mjs)

What a process pays for agenttap's loader next to a minimal in-process fetch tee (\`bench/fixtures/min-tee.mjs\`:
wrap \`globalThis.fetch\`, append each request body to a file): plain \`node -e\`, the tee and \`--import agenttap/loader\`,
${rounds} rounds of fresh processes in rotating order, medians, per Node version, load average
${loadavg()[0].toFixed(2)} at the end. Times are from the process's start as the process itself measures them
(\`performance.now()\`); CPU is the whole process's (user + system, \`process.resourceUsage()\` at exit). "Added" is
over plain Node in the same run; the ratio is agenttap's added cost over the tee's (issue 13's acceptance: ≤ 1.3× the
time, ≤ 1.5× the CPU).

| Node | scenario | plain node | tee, added | agenttap, added (÷ tee) | CPU, plain | CPU, tee added | CPU, agenttap added (÷ tee) | built-in modules plain / tee / agenttap |
|---|---|---|---|---|---|---|---|---|
${table}

At start the loader reads the config (checked by hand; zod loads only to name an error), publishes the session for
Node children, and wraps \`fetch\` and the http client (a diagnostics channel on Node ≥ 22.14; on Node 20
\`http.Agent\`'s \`addRequest\`, from \`_http_agent\` alone, patched at the agent's first \`require\` of http/https or
at the next turn of the event loop, after a \`-e\` script's or a CommonJS main's first line, before an ESM main's) from
one bundled file; it reads \`node:fs\`
with \`require()\` (an ESM import's facade loads Node's stream modules). On Node ≥ 22.22.3 the default also
registers the SDK layer's module hooks: a wrapper on \`require\` that loads require-in-the-middle (bundled without
\`debug\`) at the first \`require\` of an SDK, and a resolve hook that loads import-in-the-middle's hook only at the
first SDK file. The capture (recorder, codecs, exchanges: one bundled file) loads at the first model call; the log
writer later still.`,
);
