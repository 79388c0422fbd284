// How fast does the redactor clear a realistic agent request body (what the recorder does to
// every body before it reaches disk), in MB/s of serialised JSON — all rules, and each rule family
// alone — against secretlint's own `lintSource` (recommended preset) on the same text, in the same
// rounds? Then a 50-turn session through the recorder (a message resent every turn is redacted
// once), and recall / false positives per family from the corpora (tests/unit/redact/families.test.ts).
// `node bench/redact-throughput.mjs [--dist <dir>] [--baseline-dist <dir>] [--write] [--no-recall]`
// (needs `npm run build` first).
import { lintSource } from '@secretlint/core';
import { creator as preset } from '@secretlint/secretlint-rule-preset-recommend';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
const TURNS = 50;
const dist = arg('--dist') ?? join(root, 'dist', 'src');
const mod = (d, path) => import(pathToFileURL(join(d, path)).href);
const redact = (path) => mod(dist, join('policy', 'redact', path));
const key = Buffer.alloc(32, 1);

const { createRedactor } = await redact('index.js');
const { createBatchScan, MIN_SCAN_LENGTH } = await redact('scan.js');
const { gateRules } = await redact('keywords.js');
const { gitleaksRules } = await redact('gitleaks.js');
const { patternGatedRules } = await redact('patterns.js');
const { secretlintGroup } = await redact('secretlint.js');
const { keyedEntropyRule } = await redact('keyed.js');
const { copyAndCollect } = await redact('walk.js');
const { Recorder } = await mod(dist, join('log', 'recorder.js'));

const redactor = createRedactor({ key });
// `--baseline-dist <dir>`: another build (e.g. main's) measured in the same rounds, for before/after.
const before = arg('--baseline-dist')
  ? (await mod(arg('--baseline-dist'), join('policy', 'redact', 'index.js'))).createRedactor({ key })
  : undefined;
const body = agentBody(root);
const text = JSON.stringify(body);
const mb = text.length / 1e6;

/** One family alone, over the body's strings as the redactor batches them. */
const family = (rule) => {
  const scan = createBatchScan([rule]);
  return () => scan(copyAndCollect(body, MIN_SCAN_LENGTH).slots.map((s) => s.text));
};
const families = {
  'gitleaks (216 rules behind the keyword pass)': family(gateRules('gitleaks', gitleaksRules())),
  'hand-written': family(gateRules('hand-written', patternGatedRules())),
  'secretlint preset (our synchronous runner)': family(gateRules('secretlint', [], [secretlintGroup()])),
  'keyword (secrets by name)': family(keyedEntropyRule()),
};
const config = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset }] };
const subjects = {
  redact: () => redactor.value(body),
  ...families,
  lintSource: () =>
    lintSource({
      source: { filePath: 'body.json', content: text, contentType: 'text', ext: '.json' },
      options: { config },
    }),
  ...(before ? { before: () => before.value(body) } : {}),
};

// Round-robin, so load on the (shared) machine falls on every subject alike; wall and CPU time
// (the process's, so it counts what the machine's other work does not take from us).
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const wall = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
const cpu = Object.fromEntries(Object.keys(subjects).map((k) => [k, []]));
for (let round = -1; round < RUNS; round++) {
  for (const [name, fn] of Object.entries(subjects)) {
    const c = cpuMs();
    const t = process.hrtime.bigint();
    await fn();
    if (round < 0) continue; // warm-up
    wall[name].push(Number(process.hrtime.bigint() - t) / 1e6);
    cpu[name].push(cpuMs() - c);
  }
}
const ratio = (a, b) => median(wall[a].map((x, i) => x / wall[b][i]));
const mbps = (ms) => (mb / (ms / 1000)).toFixed(1);
const row = (label, name) =>
  `| ${label} | ${median(wall[name]).toFixed(1)} | ${mbps(median(wall[name]))} | ${mbps(median(cpu[name]))} | ${ratio(name, 'lintSource').toFixed(2)} |`;
const redacted = Object.values(redactor.stats.byType).reduce((a, b) => a + b, 0);

// A 50-turn session: request k carries the first k/50 of the body's messages, through the
// recorder (as the capture worker runs it), against redacting every request whole.
const requests = Array.from({ length: TURNS }, (_, k) => ({
  ...body,
  messages: body.messages.slice(0, Math.max(1, Math.round(((k + 1) * body.messages.length) / TURNS))),
}));
const sessionMb = requests.reduce((n, b) => n + JSON.stringify(b).length, 0) / 1e6;
const match = { endpoint: 'anthropic.messages', provider: 'anthropic', operation: 'chat' };
const sink = { file: 'memory', muted: false, write() {}, flushSync() {} };
let sessionRedactedChars = 0;
const session = (viaRecorder) => {
  const r = createRedactor({ key });
  const value = r.value.bind(r);
  if (viaRecorder) {
    // What reaches the redactor (JSON characters), to show what the recorder's de-duplication saves.
    sessionRedactedChars = 0;
    r.value = (v) => {
      sessionRedactedChars += JSON.stringify(v)?.length ?? 0;
      return value(v);
    };
  }
  const t = process.hrtime.bigint();
  if (viaRecorder) {
    const recorder = new Recorder({ blobMinBytes: 256 });
    recorder.attach({ sink, redactor: r });
    for (const [k, b] of requests.entries()) {
      recorder.request({
        id: `r${k}`,
        layer: 'fetch',
        match,
        method: 'POST',
        url: 'https://api.anthropic.com/v1/messages',
        headers: {},
        body: b,
        bodyBytes: 1,
        stream: true,
      });
    }
    recorder.drainSync();
  } else {
    for (const b of requests) r.value(b);
  }
  return Number(process.hrtime.bigint() - t) / 1e6;
};
const sessionRuns = { recorder: [], whole: [] };
for (let i = 0; i < 3; i++) {
  sessionRuns.recorder.push(session(true));
  sessionRuns.whole.push(session(false));
}
const sessionMs = median(sessionRuns.recorder);
const wholeMs = median(sessionRuns.whole);

// Recall and false positives per family: the corpora live in the (TypeScript) tests.
let recall = '';
if (!process.argv.includes('--no-recall')) {
  const dir = mkdtempSync(join(tmpdir(), 'agenttap-families-'));
  const file = join(dir, 'families.json');
  try {
    execFileSync(
      process.execPath,
      [join(root, 'node_modules/vitest/vitest.mjs'), 'run', 'tests/unit/redact/families.test.ts'],
      {
        cwd: root,
        env: { ...process.env, AGENTTAP_FAMILY_REPORT: file },
        stdio: 'ignore',
        timeout: 300_000,
      },
    );
    const r = JSON.parse(readFileSync(file, 'utf8'));
    const names = ['gitleaks', 'hand-written', 'secretlint', 'keyword', 'all'];
    const pct = (n, total) => `${n}/${total} (${((100 * n) / total).toFixed(0)}%)`;
    recall = `
Recall per family: planted (secret, context) pairs each family clears on its own, ${r.contexts} text contexts each (env line, JSON value, prose, JSON-escaped), seed ${r.seed}; false positives: benign samples (git SHAs, UUIDs, ids, lockfile hashes, a base64 image, minified JS…) changed, with every gitleaks keyword in the same text (\`tests/unit/redact/families.test.ts\`).

| corpus | ${names.join(' | ')} |
|---|${names.map(() => '---:').join('|')}|
${r.rows.map((row) => `| ${row.corpus} | ${names.map((n) => pct(row.caught[n], row.total)).join(' | ')} |`).join('\n')}
| false positives, ${r.benignTotal} benign samples | ${names.map((n) => r.falsePositives[n]).join(' | ')} |
`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const md = `### Redaction throughput (\`bench/redact-throughput.mjs\`)

A ${mb.toFixed(2)} MB coding-agent request body (source files, git log, lockfile, UUIDs, a base64 image), median of ${RUNS} round-robin rounds. MB/s by wall time, and by the process's CPU time (what the machine's other work did not take).

| | ms per body | MB/s | MB/s (CPU time) | time / secretlint \`lintSource\` |
|---|---:|---:|---:|---:|
${row('`redactor.value(body)`, all rules', 'redact')}
${Object.keys(families)
  .map((name) => row(`family alone: ${name}`, name))
  .join('\n')}
${row('secretlint `lintSource`, recommended preset, same text', 'lintSource')}
${before ? `${row('the baseline build (`--baseline-dist`)', 'before')}\n` : ''}
Spans redacted over all runs (each a false positive: the body holds no secret): ${redacted}.

A ${TURNS}-turn session of the same shape (${sessionMb.toFixed(1)} MB of request bodies, each resending the conversation so far): ${sessionMs.toFixed(0)} ms through the recorder (${(sessionMb / (sessionMs / 1000)).toFixed(0)} MB/s of request bodies; it hands the redactor ${(sessionRedactedChars / 1e6).toFixed(2)} MB, the last body being ${(JSON.stringify(requests.at(-1)).length / 1e6).toFixed(2)} MB: a message of 256 bytes or more resent every turn is redacted once, most of the time is the recorder's own per-turn work, serialising and hashing every message to find the repeats), against ${wholeMs.toFixed(0)} ms redacting every body whole (${(sessionMb / (wholeMs / 1000)).toFixed(1)} MB/s).
${recall}`;
process.stdout.write(`${md}\n`);
if (redacted > 0) process.stdout.write(`redacted types: ${JSON.stringify(redactor.stats.byType)}\n`);
if (process.argv.includes('--write')) writeSection(join(root, 'BENCHMARKS.md'), 'redact-throughput', md);
