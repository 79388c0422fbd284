// Question: does `agenttap report` read a log at parse speed? Generates a Claude Code-shaped session log
// (bench/report-generate.mjs: a 200 KB tool output per turn, sub-agents, compactions) and times, in one run,
// rounds of four fresh processes over the same file, in a rotating order so drift falls on all of them:
//   - Node: every line through JSON.parse (bench/fixtures/parse-lines.mjs), the baseline
//   - Python: every line through json.loads (skipped, with a note, when python3 is absent)
//   - agenttap report --json <file>, and --html <file>
// Then the same over a main loop of --long-turns turns that is never compacted, a sub-agent every 10 turns (each
// request resends every turn before it: what a walk of the whole message list per request would make turns²).
// Each figure is the median; each ratio the median of the rounds' ratios (baseline time ÷ report time: above 1,
// the report is faster). Peak RSS from each process's own counters. Not part of `npm test`.
//   node bench/report-speed.mjs [--mib 200] [--rounds 5] [--long-turns 4000] [--write]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { median, root } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';
import { generateSession } from './report-generate.mjs';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const mib = arg('--mib', 200);
const rounds = arg('--rounds', 5);
/** Turns of the long-conversation log. */
const LONG_TURNS = arg('--long-turns', 4000);
const MiB = 1 << 20;
const PEAK = `data:text/javascript,process.on('exit',()=>{const u=process.resourceUsage();process.stderr.write('PEAK_RSS_KB='+u.maxRSS+' CPU_US='+(u.userCPUTime+u.systemCPUTime)+'\\n')})`;
const PYTHON = `import json, resource, sys
with open(sys.argv[1], 'rb') as f:
    for line in f:
        if line.strip():
            json.loads(line)
u = resource.getrusage(resource.RUSAGE_SELF)
sys.stderr.write('PEAK_RSS_KB=%d CPU_US=%d\\n' % (u.ru_maxrss, (u.ru_utime + u.ru_stime) * 1e6))`;

/**
 * Wall time, CPU time (user + system, the process's own count) and peak RSS of one fresh process. The ratios use
 * CPU time: on a shared machine a process's wall time is mostly how long it waited for a core.
 */
function timed(bin, args) {
  const t0 = performance.now();
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 * MiB, cwd: root });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${bin} ${args.join(' ')}: exit ${r.status}: ${r.stderr}`);
  const m = /PEAK_RSS_KB=(\d+) CPU_US=(\d+)/.exec(r.stderr);
  return { wall, ms: Number(m?.[2]) / 1000, peak: Number(m?.[1]) * 1024 };
}

const hasPython = spawnSync('python3', ['-c', 'pass']).status === 0;
const tmp = mkdtempSync(join(tmpdir(), 'agenttap-bench-speed-'));
const cli = join(root, 'bin', 'agenttap.js');
const load = [loadavg()[0]];

/** The four readers over `file`, `rounds` rounds in rotating order: the table, and the `--json` report's CPU ms. */
function measure(file) {
  const size = statSync(file).size;
  const report = (format, out) =>
    timed(process.execPath, ['--import', PEAK, cli, 'report', file, format, join(tmp, out), '-q', '--no-progress']);
  const subjects = {
    node: () => timed(process.execPath, ['--import', PEAK, join(root, 'bench', 'fixtures', 'parse-lines.mjs'), file]),
    ...(hasPython ? { python: () => timed('python3', ['-c', PYTHON, file]) } : {}),
    json: () => report('--json', 'r.json'),
    html: () => report('--html', 'r.html'),
  };
  const names = Object.keys(subjects);
  const runs = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    // Rotating order: each subject runs first, second, … equally often.
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      runs[name].push(subjects[name]());
    }
    load.push(loadavg()[0]);
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }
  const ms = (n) => median(runs[n].map((x) => x.ms));
  const wall = (n) => median(runs[n].map((x) => x.wall));
  const peak = (n) => Math.max(...runs[n].map((x) => x.peak));
  const ratio = (base, n) => median(runs[n].map((x, i) => runs[base][i].ms / x.ms));
  const rate = (n) => `${(size / MiB / (ms(n) / 1000)).toFixed(0)} MiB/s`;
  const row = (label, n) =>
    `| ${label} | ${(ms(n) / 1000).toFixed(2)} s (wall ${(wall(n) / 1000).toFixed(2)} s) | ${rate(n)} | ${(peak(n) / MiB).toFixed(0)} MiB | ${ratio('node', n).toFixed(2)}× | ${hasPython ? `${ratio('python', n).toFixed(2)}×` : '—'} |`;
  const table = `| reader | CPU time | throughput (CPU) | peak RSS | vs Node JSON.parse | vs Python json.loads |
|---|---|---|---|---|---|
${row('Node: `JSON.parse` per line (baseline)', 'node')}
${hasPython ? `${row('Python: `json.loads` per line', 'python')}\n` : ''}${row('`agenttap report --json`', 'json')}
${row('`agenttap report --html`', 'html')}`;
  return { table, jsonMs: ms('json') };
}

try {
  process.stderr.write(`generating ${mib} MiB in ${tmp} …\n`);
  const gen = generateSession(join(tmp, 'session'), {
    turns: 1e9,
    toolBytes: 200_000,
    targetBytes: mib * MiB,
    subEvery: 10,
    compactEvery: 50,
  });
  const size = statSync(gen.file).size;
  const large = measure(gen.file).table;
  // One conversation of LONG_TURNS turns, never compacted: each request resends all the turns before it; a sub-agent
  // every 10 turns, whose requests come between two of the main loop's.
  const long = generateSession(join(tmp, 'long'), {
    turns: LONG_TURNS,
    toolBytes: 2000,
    subEvery: 10,
    compactEvery: 1e9,
  });
  const longRun = measure(long.file);
  const md = `## Report speed (bench/report-speed.mjs)

A generated Claude Code-shaped session log of ${(size / MiB).toFixed(0)} MiB (${gen.exchanges} exchanges, a 200 KB tool output
per turn), read by four fresh processes per round, ${rounds} rounds in rotating order; medians. Ratios: the baseline's CPU
time ÷ this one's, per round (above 1: faster than the baseline); CPU time (user + system, each process's own count), as
wall time on a shared machine is mostly waiting for a core. Machine: ${process.platform}/${process.arch}, Node
${process.version}, ${new Date().toISOString().slice(0, 10)}, load average ${Math.min(...load).toFixed(1)}–${Math.max(...load).toFixed(1)}.

${large}
${hasPython ? '' : '\n(python3 not found: the Python baseline was skipped.)\n'}
Then a main loop of ${LONG_TURNS} turns that is never compacted, with a sub-agent every 10 turns (${long.exchanges} requests,
${(statSync(long.file).size / MiB).toFixed(0)} MiB, 2 KB tool outputs): its last request resends ${2 * LONG_TURNS - 1} messages. Same readers, same rounds:

${longRun.table}

Reading the figures: the report does not parse what no view needs. A blob line (most of a log's bytes) is taken by
its head (the sink writes fields in a fixed order) and kept by position; a message's key is the blob's own hash when
the message is in string form (else hashed from its bytes); its facts (role, reminders, first words) are read from a
view with long strings cut; content is parsed only for a view that shows it (the HTML's detail), and a long message
only as far as the page keeps it: its strings are found by their quotes in the bytes and only their first
\`--max-text\` characters decoded (reports/read/scan.ts \`cutJson\`). Times include each process's start (the CLI
loads only the command that runs; the report command is one bundle, scripts/bundle-cli.mjs).

The report's time follows requests more than bytes: the long conversation's \`--json\` report costs
${(longRun.jsonMs / long.exchanges).toFixed(2)} ms of CPU per request (its start included). There, a request's list and thread are read on from its
conversation's last request's (reports/model/placement.ts), not walked whole: a walk per request made that report
~4× slower (turns², 2026-12-04).`;
  if (process.argv.includes('--write')) writeSection(join(root, 'BENCHMARKS.md'), 'report-speed', md);
  process.stdout.write(`${md}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
