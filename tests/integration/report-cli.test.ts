/**
 * `agenttap report` and `agenttap cat` on any input (issue 16, report and CLI items), through the real CLI in
 * child processes (bin/agenttap.js → dist/src/, so `npm run build` first):
 *
 *   - a reader that stops early (`| head`): EPIPE is a quiet exit 0, nothing on stderr
 *   - two outputs to stdout are refused before the log is read, naming both flags
 *   - every file problem (missing folder, a folder given as a file, /proc, a folder named 1.ndjson) is one
 *     line naming the file, the flag and the fix — no stack; `--export-prompts /proc/x` ends at once
 *   - files and folders the CLI writes are private (0600 / 0700), an existing report file too
 *   - a non-agenttap NDJSON stops with one error naming the file; a newer log format warns once
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateSession } from '../../bench/report-generate.mjs';
import { ROOT, scratch } from '../helpers/run.js';

const CLI = join(ROOT, 'bin', 'agenttap.js');
const CC10 = join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0');
const temps: string[] = [];
const temp = () => {
  const dir = scratch('agenttap-report-cli-');
  temps.push(dir);
  return dir;
};

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, signal: r.signal };
}

/** One clear line on stderr, no stack, a non-zero exit. */
function oneLineError(r: ReturnType<typeof cli>, ...parts: string[]) {
  expect(r.signal, 'the command must end by itself').toBeNull();
  expect(r.code).toBe(2);
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  for (const p of parts) expect(r.stderr).toContain(p);
  expect(r.stderr).toContain('Fix:');
}

/**
 * The CLI piped into `head -c 100` through a real pipe (a child's stdio 'pipe' is a socket pair, which
 * behaves differently): its exit code and its stderr.
 */
function intoHead(args: string[]): { code: number | null; stderr: string } {
  const quote = (a: string) => `'${a.replaceAll("'", "'\\''")}'`;
  const line = `${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')} | head -c 100 >/dev/null; exit \${PIPESTATUS[0]}`;
  const r = spawnSync('bash', ['-c', line], { encoding: 'utf8', timeout: 30_000 });
  expect(r.signal, 'the command must end by itself').toBeNull();
  return { code: r.status, stderr: r.stderr };
}

let big: string;
beforeAll(() => {
  // Big enough that stdout outlives the pipe's buffer (64 KiB) many times over.
  big = join(temp(), 'session');
  generateSession(big, { turns: 150, toolBytes: 500 });
});
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

describe('a reader that stops early', () => {
  it('`agenttap cat … | head`: exit 0, nothing on stderr', () => {
    expect(intoHead(['cat', big])).toEqual({ code: 0, stderr: '' });
  });

  it('`agenttap cat --full … | head`: exit 0, nothing on stderr', () => {
    expect(intoHead(['cat', '--full', big])).toEqual({ code: 0, stderr: '' });
  });

  it('`agenttap report --json - … | head`: exit 0, nothing on stderr', () => {
    expect(intoHead(['report', '--json', '-', '--no-progress', big])).toEqual({ code: 0, stderr: '' });
  });
});

describe('outputs', () => {
  it('two outputs on stdout are refused before the log is read, naming both flags', () => {
    // The log is not an agenttap log: had it been read, that would be the error.
    const dir = temp();
    writeFileSync(join(dir, '1.ndjson'), '{"a":1}\n'.repeat(10));
    const r = cli('report', '--json', '-', '--md', '-', join(dir, '1.ndjson'));
    oneLineError(r, '--md -', '--json -', 'stdout');
    expect(r.stdout).toBe('');
  });

  it('--md to a folder, to a missing folder, --html on /proc: one line naming the flag, the path and the fix', () => {
    const dir = temp();
    oneLineError(cli('report', '--md', dir, CC10), `--md ${dir}`, 'is a folder');
    oneLineError(
      cli('report', '--md', join(dir, 'no', 'such', 'r.md'), CC10),
      '--md',
      join(dir, 'no', 'such'),
      'does not exist',
    );
    oneLineError(cli('report', '--json', join(dir, 'no', 'r.json'), CC10), '--json', 'does not exist');
    oneLineError(cli('report', '--html', '/proc/agenttap-report.html', CC10), '--html /proc/agenttap-report.html');
    oneLineError(cli('report', '--html', dir, CC10), `--html ${dir}`, 'is a folder');
  });

  it('--export-prompts /proc/x ends at once with one line; a missing parent folder is named', () => {
    oneLineError(
      cli('report', '-q', '--export-prompts', '/proc/agenttap-x', CC10),
      '--export-prompts /proc/agenttap-x',
    );
    const dir = temp();
    oneLineError(
      cli('report', '-q', '--export-prompts', join(dir, 'a', 'b'), CC10),
      '--export-prompts',
      join(dir, 'a'),
      'does not exist',
    );
    const file = join(dir, 'file');
    writeFileSync(file, 'x');
    oneLineError(cli('report', '-q', '--export-prompts', file, CC10), '--export-prompts', 'not a folder');
  });

  it('--html of a session that is not there: one line naming it (the HTML content spool, not yet open, is left quietly)', () => {
    const dir = temp();
    const r = cli('report', join(dir, 'nowhere'), '--html', join(dir, 'r.html'), '-q', '--no-progress');
    oneLineError(r, join(dir, 'nowhere'), 'no such session');
  });

  it('a folder named 1.ndjson: skipped inside a session, named when it is the only thing there', () => {
    const dir = temp();
    mkdirSync(join(dir, '1.ndjson'));
    oneLineError(cli('report', dir), dir, 'no <pid>.ndjson files');
    oneLineError(cli('cat', join(dir, '1.ndjson')), join(dir, '1.ndjson'));
    writeFileSync(
      join(dir, '4242.ndjson'),
      readdirSync(CC10)
        .map((f) => readFileSync(join(CC10, f), 'utf8'))
        .join(''),
    );
    const r = cli('report', dir, '-q', '--json', '-');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).totals.calls).toBe(14);
  });

  it('files and folders the CLI writes are private: 0600 files, a 0700 export folder, an existing report made 0600', () => {
    const dir = temp();
    const md = join(dir, 'r.md');
    writeFileSync(md, 'old');
    chmodSync(md, 0o644);
    const out = { html: join(dir, 'r.html'), json: join(dir, 'r.json'), ex: join(dir, 'prompts') };
    const r = cli('report', CC10, '-q', '--html', out.html, '--md', md, '--json', out.json, '--export-prompts', out.ex);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
    expect([mode(out.html), mode(md), mode(out.json), mode(out.ex)]).toEqual(['600', '600', '600', '700']);
    const exported = readdirSync(out.ex);
    expect(exported.length).toBeGreaterThan(2);
    for (const f of exported) expect(mode(join(out.ex, f)), f).toBe('600');
  });

  it('an output that is not a regular file (a FIFO, like /dev/null) keeps its mode: only our files are made 0600', () => {
    const dir = temp();
    const fifos = { json: join(dir, 'json.fifo'), html: join(dir, 'html.fifo') };
    const readers = Object.values(fifos).map((fifo) => {
      expect(spawnSync('mkfifo', ['-m', '644', fifo]).status).toBe(0);
      chmodSync(fifo, 0o644); // whatever the umask took
      // A reader, so that the CLI's open for writing returns; it ends at the writer's close.
      return spawn('cat', [fifo], { stdio: ['ignore', 'ignore', 'ignore'], timeout: 60_000 });
    });
    try {
      const r = cli('report', CC10, '-q', '--json', fifos.json, '--html', fifos.html);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const mode = (p: string) => (statSync(p).mode & 0o777).toString(8);
      expect([mode(fifos.json), mode(fifos.html)]).toEqual(['644', '644']);
    } finally {
      for (const reader of readers) reader.kill();
    }
  });
});

describe('inputs', () => {
  it('a non-agenttap NDJSON: one error naming the file, non-zero exit (report and cat)', () => {
    const dir = temp();
    const file = join(dir, '1.ndjson');
    writeFileSync(
      file,
      Array.from({ length: 398 }, (_, i) =>
        JSON.stringify({ level: 30, time: i, msg: 'a pino log of something else' }),
      ).join('\n'),
    );
    oneLineError(cli('report', file), file, 'not an agenttap log');
    oneLineError(cli('cat', file), file, 'not an agenttap log');
    oneLineError(cli('report', dir), file, 'not an agenttap log');
    // Plain text is not a log either.
    writeFileSync(file, 'time,value\n1,2\n3,4\n5,6\n7,8\n9,10\n');
    oneLineError(cli('report', file), file, 'not an agenttap log');
  });

  it('a log in a newer format: read, with one warning naming its version and the one this agenttap reads', () => {
    const dir = temp();
    const file = join(dir, '4242.ndjson');
    writeFileSync(
      file,
      readdirSync(CC10)
        .map((f) => readFileSync(join(CC10, f), 'utf8').replaceAll('"v":1,', '"v":99,'))
        .join(''),
    );
    const r = cli('report', file, '-q');
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /4242\.ndjson: written in log format v99 by a newer agenttap; this agenttap \(.+\) reads v1/,
      ),
    ]);
    const c = cli('cat', file);
    expect(c.code).toBe(0);
    expect(c.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(c.stderr).toContain('v99');
  });
});

describe("the agent's own labels (issue 10 part 4)", () => {
  it("terminal, Markdown, JSON and HTML show Claude Code's query_source beside the signature and count disagreements", () => {
    const dir = temp();
    writeFileSync(join(dir, '4242.ndjson'), readFileSync(join(CC10, '4242.ndjson')));
    // As `agenttap run` writes them after the run (src/run/claude-labels.ts): its own pid, joined by exchange id.
    const label = (exchange: string, query_source: string) =>
      JSON.stringify({
        level: 30,
        time: 1751364050000,
        v: 1,
        session: 'cc10',
        pid: 7,
        ppid: 1,
        event: 'exchange.label',
        mono: 1,
        exchange,
        source: 'claude-code',
        label: query_source,
        request_id: `req_${exchange}`,
      });
    writeFileSync(
      join(dir, '7.ndjson'),
      `${[label('ex-3', 'sdk'), label('ex-12', 'compact'), label('ex-5', 'compact')].join('\n')}\n`,
    );

    const term = cli('report', '--no-progress', dir);
    expect([term.code, term.stderr]).toEqual([0, '']);
    expect(term.stdout).toContain(
      "agent's own labels: 2 of 3 agree with the signatures; disagree: bash-prefix-check → compact ×1",
    );

    const md = cli('report', '-q', '--no-progress', '--md', '-', dir);
    expect(md.stdout).toMatch(/^\| Bash prefix check \| compact \| 1 \|$/m);

    const json = JSON.parse(cli('report', '-q', '--no-progress', '--json', '-', dir).stdout);
    expect(json.agentLabels).toEqual({
      labelled: 3,
      agree: 2,
      disagreements: [{ signature: 'bash-prefix-check', agent: 'compact', count: 1 }],
    });
    expect(json.exchanges.find((r: { id: string }) => r.id === 'ex-12').agentLabel).toEqual({
      source: 'claude-code',
      label: 'compact',
      mechanism: 'compaction',
      agrees: true,
    });
    expect(json.session.unknownEvents).toEqual({});

    const html = join(dir, 'r.html');
    expect(cli('report', '-q', '--no-progress', '--html', html, dir).code).toBe(0);
    const page = readFileSync(html, 'utf8');
    const data = JSON.parse(
      page.slice(
        page.indexOf('id="report-model">') + 18,
        page.indexOf('</script>', page.indexOf('id="report-model">')),
      ),
    );
    expect(data.agentLabels.disagreements).toEqual(json.agentLabels.disagreements);
    // The page's script draws the section (the browser test clicks through it).
    expect(page).toContain("Agent's own labels");
  });
});
