// Question: does `agenttap report` hold a big session in memory? Generates a ~1 GiB Claude Code-shaped
// session log in a temp dir (bench/report-generate.mjs; or reads one given with --log), and measures in one run
// the peak RSS of, on that same log:
//   - the baseline: Node reading it line by line through JSON.parse (bench/fixtures/parse-lines.mjs), which holds
//     one 4 MiB chunk and one line at a time — what any reader of the file pays;
//   - `agenttap report --json` and `--html` (the page carries content up to its 256 MiB budget), default heap;
//   - `--html` again with V8's old space capped at 64 MiB (what the default run holds above that is garbage V8
//     chose not to collect yet, not the session);
// and the same `--html` on a 14-exchange session (Node, the modules, the renderer). Peak RSS from each process's
// own `resourceUsage().maxRSS`. The target (issue 13): ≤ 256 MiB on a 1 GiB log. Not part of `npm test`.
//   node bench/report-memory.mjs [--gib 1] [--log <file.ndjson>] [--write]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { root } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';
import { generateSession } from './report-generate.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const gib = Number(arg('--gib') ?? 1) || 1;
const MiB = 1 << 20;
const TARGET = 256 * MiB;
const PEAK = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('PEAK_RSS_KB='+u.maxRSS+' CPU_US='+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;

/** Peak RSS, CPU time and wall time of one fresh Node process running `args`. */
function measured(args, nodeArgs = []) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [...nodeArgs, '--import', PEAK, ...args], {
    encoding: 'utf8',
    maxBuffer: 64 * MiB,
    cwd: root,
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const m = /PEAK_RSS_KB=(\d+) CPU_US=(\d+)/.exec(r.stderr);
  return { peak: Number(m?.[1]) * 1024, cpu: Number(m?.[2]) / 1e6, wall: (performance.now() - t0) / 1000 };
}

const report = (session, format, out, nodeArgs) =>
  measured([join(root, 'bin', 'agenttap.js'), 'report', session, format, out, '-q', '--no-progress'], nodeArgs);

const tmp = mkdtempSync(join(tmpdir(), 'agenttap-bench-report-'));
try {
  let log = arg('--log');
  let generated = '';
  if (!log) {
    process.stderr.write(`generating ${gib} GiB in ${tmp} …\n`);
    const t0 = performance.now();
    const gen = generateSession(join(tmp, 'big'), {
      turns: 1e9,
      toolBytes: 200_000,
      targetBytes: gib * 1024 * MiB,
      subEvery: 10,
      compactEvery: 50,
    });
    log = gen.file;
    generated = `, generated in ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  }
  const size = statSync(log).size;
  process.stderr.write(`measuring on ${(size / MiB).toFixed(0)} MiB …\n`);
  const base = report(join(root, 'tests', 'fixtures', 'logs', 'claude-code-1.0'), '--html', join(tmp, 'small.html'));
  const parse = measured([join(root, 'bench', 'fixtures', 'parse-lines.mjs'), log]);
  const json = report(log, '--json', join(tmp, 'big.json'));
  const html = report(log, '--html', join(tmp, 'big.html'));
  const capped = report(log, '--html', join(tmp, 'capped.html'), ['--max-old-space-size=64']);
  const mib = (b) => `${(b / MiB).toFixed(0)} MiB`;
  const row = (label, r) =>
    `| ${label} | ${mib(r.peak)} | ${(r.peak / parse.peak).toFixed(2)}× | ${r.peak <= TARGET ? 'yes' : '**no**'} | ${r.cpu.toFixed(1)} s (wall ${r.wall.toFixed(1)} s) |`;
  const md = `## Report memory (bench/report-memory.mjs)

A generated Claude Code-shaped session (main loop with a 200 KB tool output per turn, a sub-agent every 10 turns, a
compaction every 50): ${mib(size)}${generated}. Peak RSS of each process from its own \`resourceUsage().maxRSS\`, all
in one run on the same log, against Node reading the same file line by line through \`JSON.parse\` (the baseline).
Target (issue 13): ≤ 256 MiB on a 1 GiB log. Machine: ${process.platform}/${process.arch}, Node ${process.version},
${new Date().toISOString().slice(0, 10)}.

| process | peak RSS | ÷ baseline | ≤ 256 MiB | CPU time |
|---|---|---|---|---|
${row('baseline: Node, `JSON.parse` per line', parse)}
${row('`agenttap report --json`', json)}
${row('`agenttap report --html` (page carries ≤ 256 MiB of content)', html)}
${row('`--html` with `node --max-old-space-size=64`', capped)}
${row('`--html` on a 14-exchange session (Node + modules + renderer)', base)}

Reading the figures: the reader keeps blob positions, not blob content (a blob line is taken by its head; its content
is read back from the file when a view needs it); per exchange it keeps a small row and per message a 32-character
key. The page is capped by \`--content-budget\` (256 MiB by default); content past it is left out and says so.`;
  if (process.argv.includes('--write')) writeSection(join(root, 'BENCHMARKS.md'), 'report-memory', md);
  process.stdout.write(`${md}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
