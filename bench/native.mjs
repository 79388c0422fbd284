// `node bench/native.mjs [pairs]`: what agenttap costs today's Claude Code (the native Bun binary from
// @anthropic-ai/claude-code-linux-x64) on one small task against the mock, offline: wall time of the whole
// process alone, under `agenttap run` (in-process through the Bun preload, witness proxy behind it) and under
// `agenttap proxy --exec`, each as the median of paired ratios against the binary alone. Prints the figures
// (Markdown); BENCHMARKS.md is not touched.
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMock } from '../dist/src/mock/index.js';
import { paired, root, timedProcess } from './lib/measure.mjs';

const pairs = Number(process.argv[2] ?? 5);
const claude = join(root, 'node_modules', '@anthropic-ai', 'claude-code-linux-x64', 'claude');
if (!existsSync(claude)) throw new Error(`${claude} is missing: npm ci on linux-x64`);
const agenttap = join(root, 'bin', 'agenttap.js');

const mock = await startMock({}); // its default script: text, a tool call, an Agent sub-agent, a final answer
const scratch = mkdtempSync(join(tmpdir(), 'agenttap-bench-native-'));
const home = join(scratch, 'home');
const sessions = join(scratch, 'sessions');
try {
  mkdirSync(home);
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({ metricsStatusCache: { enabled: false, timestamp: Date.now() } }),
  );
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: 'sk-ant-api03-agenttap-bench-key-000000000000000000',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    AGENTTAP_DIR: sessions,
  };
  const task = ['-p', 'Do the task.'];
  const alone = async () => (await timedProcess(claude, task, { env, cwd: home })).ms;
  const inProcess = async () =>
    (
      await timedProcess(process.execPath, [agenttap, 'run', '--quiet', '--', claude, ...task], {
        env,
        cwd: home,
        quiet: true,
      })
    ).ms;
  const proxied = async () =>
    (
      await timedProcess(
        process.execPath,
        [agenttap, 'proxy', '--upstream', mock.url, '--quiet', '--exec', '--', claude, ...task],
        { env, cwd: home, quiet: true },
      )
    ).ms;

  await alone(); // warm the page cache (the binary is ~380 MB)
  const run = await paired(pairs, alone, inProcess);
  const proxy = await paired(pairs, alone, proxied);
  const f = (ms) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `Native Claude Code 2.1.330, one task (${mock.received.length / (1 + 4 * pairs)} model calls) against the mock, ${pairs} pairs each:\n`,
  );
  console.log('| route | wall time (median) | ratio to alone (median of pairs) |');
  console.log('|---|---:|---:|');
  console.log(`| alone | ${f(run.baseline)} | 1.00x |`);
  console.log(
    `| \`agenttap run\` (in-process, Bun preload + witness) | ${f(run.subject)} | ${run.ratio.toFixed(2)}x |`,
  );
  console.log(`| \`agenttap proxy --exec\` | ${f(proxy.subject)} | ${proxy.ratio.toFixed(2)}x |`);
} finally {
  await mock.close();
  rmSync(scratch, { recursive: true, force: true });
}
