// How fast does the redactor clear a realistic agent request body (what the recorder does to
// every body before it reaches disk), in MB/s of serialised JSON? Baseline in the same run:
// secretlint's own `lintSource` with its recommended preset on the same text.
// `node bench/redact-throughput.mjs [--dist <dir>] [--write]` (needs `npm run build` first).
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { agentBody } from './lib/agent-body.mjs';
import { median, root } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const RUNS = 15;
const load = async (dist) =>
  (await import(pathToFileURL(join(dist, 'policy', 'redact', 'index.js')).href)).createRedactor({ key: Buffer.alloc(32, 1) });
const redactor = await load(arg('--dist') ?? join(root, 'dist'));
// `--baseline-dist <dir>`: another build (e.g. main's) measured in the same runs, for before/after.
const before = arg('--baseline-dist') ? await load(arg('--baseline-dist')) : undefined;
const body = agentBody(root);
const text = JSON.stringify(body);
const mb = text.length / 1e6;

const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] };
const subjects = {
  redact: () => redactor.value(body),
  secretlint: () => lintSource({ source: { filePath: 'body.json', content: text, contentType: 'text', ext: '.json' }, options: { config } }),
  ...(before ? { before: () => before.value(body) } : {}),
};
// Round-robin, so load on the (shared) machine falls on every subject alike; medians of each and
// of the per-round ratios.
const ms = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let round = -1; round < RUNS; round++) {
  for (const [name, fn] of Object.entries(subjects)) {
    const t = process.hrtime.bigint();
    await fn();
    if (round >= 0) ms[name].push(Number(process.hrtime.bigint() - t) / 1e6); // round -1 warms up
  }
}
const ratio = (a, b) => median(ms[a].map((x, i) => x / ms[b][i]));
const redactMs = median(ms.redact);
const lintMs = median(ms.secretlint);
const redacted = Object.values(redactor.stats.byType).reduce((a, b) => a + b, 0);
const mbps = (t) => (mb / (t / 1000)).toFixed(1);

const md = `### Redaction throughput (\`bench/redact-throughput.mjs\`)

A ${mb.toFixed(2)} MB coding-agent request body (source files, git log, lockfile, UUIDs, a base64 image), median of ${RUNS} round-robin rounds.

| | ms per body | MB/s |
|---|---:|---:|
| \`redactor.value(body)\` (all rules) | ${redactMs.toFixed(1)} | ${mbps(redactMs)} |
| secretlint \`lintSource\`, recommended preset, same text | ${lintMs.toFixed(1)} | ${mbps(lintMs)} |
${before ? `| the baseline build (\`--baseline-dist\`) | ${median(ms.before).toFixed(1)} | ${mbps(median(ms.before))} |\n` : ''}
Redactor time / secretlint time (median of paired rounds): ${ratio('redact', 'secretlint').toFixed(2)}${before ? `; / baseline build: ${ratio('redact', 'before').toFixed(2)}` : ''}. Spans redacted over all runs (each a false positive: the body holds no secret): ${redacted}.`;
process.stdout.write(md + '\n');
if (redacted > 0) process.stdout.write(`redacted types: ${JSON.stringify(redactor.stats.byType)}\n`);
if (process.argv.includes('--write')) writeSection(join(root, 'BENCHMARKS.md'), 'redact-throughput', md);
