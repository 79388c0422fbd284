// Question: does `agenttap report` hold a big session in memory? Generates a ~1 GiB Claude Code-shaped
// session log in a temp dir (bench/report-generate.mjs), renders it to HTML (the heaviest output: the page
// carries content up to its 256 MiB budget) and reports the peak RSS of the report process, against the
// file size and against a baseline in the same run: the same command on a 14-exchange session (Node, the
// modules, the renderer). Not part of `npm test`.
//   node bench/report-memory.mjs [--gib 1]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSession } from './report-generate.mjs';
import { writeSection } from './lib/write-section.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const gib = Number(process.argv[process.argv.indexOf('--gib') + 1] || 1) || 1;
const MiB = 1 << 20;
const PEAK = `data:text/javascript,process.on('exit',()=>process.stderr.write('PEAK_RSS_KB='+process.resourceUsage().maxRSS+'\\n'))`;

function report(session, out, nodeArgs = [], format = '--html') {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [
      ...nodeArgs,
      '--import',
      PEAK,
      join(ROOT, 'bin', 'agenttap.js'),
      'report',
      session,
      format,
      out,
      '-q',
      '--no-progress',
    ],
    { encoding: 'utf8', maxBuffer: 64 * MiB },
  );
  if (r.status !== 0) throw new Error(`report failed: ${r.stderr}`);
  const kb = Number(/PEAK_RSS_KB=(\d+)/.exec(r.stderr)?.[1]);
  return { peak: kb * 1024, ms: performance.now() - t0, html: statSync(out).size };
}

const tmp = mkdtempSync(join(tmpdir(), 'agenttap-bench-report-'));
try {
  process.stderr.write(`generating ${gib} GiB in ${tmp} …\n`);
  const t0 = performance.now();
  const gen = generateSession(join(tmp, 'big'), {
    turns: 1e9,
    toolBytes: 200_000,
    targetBytes: gib * 1024 * MiB,
    subEvery: 10,
    compactEvery: 50,
  });
  process.stderr.write(
    `generated ${(gen.bytes / MiB).toFixed(0)} MiB, ${gen.exchanges} exchanges in ${((performance.now() - t0) / 1000).toFixed(0)} s; rendering …\n`,
  );
  const base = report(join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0'), join(tmp, 'small.html'));
  const big = report(join(tmp, 'big'), join(tmp, 'big.html'));
  // The same with V8's old space capped at 64 MiB: it completes, so what the default run holds above that
  // is collectable garbage V8 chose not to collect yet, not the session.
  const capped = report(join(tmp, 'big'), join(tmp, 'capped.html'), ['--max-old-space-size=64']);
  const json = report(join(tmp, 'big'), join(tmp, 'big.json'), [], '--json');
  const rows = [
    ['log size', `${(statSync(gen.file).size / MiB).toFixed(0)} MiB, ${gen.exchanges} exchanges`],
    ['largest single exchange (its new content: the longest log line)', `${(gen.largestLine / MiB).toFixed(2)} MiB`],
    ['baseline: peak RSS on a 14-exchange session (Node + modules + renderer)', `${(base.peak / MiB).toFixed(0)} MiB`],
    [
      'peak RSS rendering the big session to HTML',
      `${(big.peak / MiB).toFixed(0)} MiB (${(big.ms / 1000).toFixed(1)} s; page ${(big.html / MiB).toFixed(0)} MiB)`,
    ],
    [
      'peak RSS of `agenttap report --json` on the big session',
      `${(json.peak / MiB).toFixed(0)} MiB (${(json.ms / 1000).toFixed(1)} s)`,
    ],
    [
      'peak RSS, same render with `node --max-old-space-size=64`',
      `${(capped.peak / MiB).toFixed(0)} MiB (${(capped.ms / 1000).toFixed(1)} s)`,
    ],
    [
      'peak RSS ÷ log size (default heap / 64 MiB heap)',
      `${(big.peak / gen.bytes).toFixed(3)}× / ${(capped.peak / gen.bytes).toFixed(3)}×`,
    ],
    [
      '(peak − baseline) ÷ largest exchange (default heap / 64 MiB heap)',
      `${((big.peak - base.peak) / gen.largestLine).toFixed(0)}× / ${((capped.peak - base.peak) / gen.largestLine).toFixed(0)}×`,
    ],
  ];
  const md = `## Report memory (bench/report-memory.mjs)

A generated Claude Code-shaped session (main loop with a 200 KB tool output per turn, a sub-agent every 10 turns,
a compaction every 50), rendered with \`agenttap report --html\`; peak RSS from the report process's own
\`resourceUsage().maxRSS\`. Machine: ${process.platform}/${process.arch}, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| question | figure |
|---|---|
${rows.map(([q, v]) => `| ${q} | ${v} |`).join('\n')}

Reading the figures: the reader keeps blob positions, not blob content (a blob line is taken by its head; its
content is read back from the file when a view needs it, through a 32 MiB cache); per exchange it keeps a small row
and per message a 32-character key. What grows with the session is those rows and keys, and the set of content hashes written to the page.
The page itself is capped by \`--content-budget\` (256 MiB by default); content past it is left out and says so.`;
  writeSection(join(ROOT, 'BENCHMARKS.md'), 'report-memory', md);
  process.stdout.write(`${md}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
