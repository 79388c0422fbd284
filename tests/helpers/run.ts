/**
 * Runs a program in a child process, with or without the real loader, and reads back what it logged.
 * Every run is bounded in time; every session lives in a fresh temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readExpanded } from '../../src/log/read.js';
import type { LogEvent } from '../../src/log/events.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const LOADER = join(ROOT, 'loader');

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The session directory (set when run under the loader). */
  sessionDir: string;
  home: string;
}

export interface RunOptions {
  args?: string[];
  env?: Record<string, string | undefined>;
  loader?: boolean;
  /** Extra node flags before the script. */
  nodeArgs?: string[];
  cwd?: string;
  timeoutMs?: number;
  node?: string;
}

export function scratch(prefix = 'agenttap-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface Spawned {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * A child process with its output collected, killed after `timeoutMs`. `stdin`: text to write and close
 * with, or `'ignore'` (agents that wait for stdin to close in print mode — pi, native Claude Code).
 */
export function spawnBounded(
  command: string,
  args: string[],
  options: {
    cwd?: string;
    env: Record<string, string | undefined>;
    stdin?: string | 'ignore';
    timeoutMs?: number;
    reportDir?: string;
  },
): Promise<Spawned> {
  const env = Object.fromEntries(Object.entries(options.env).filter(([, v]) => v !== undefined)) as NodeJS.ProcessEnv;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolvePromise, reject) => {
    const stdin = options.stdin === undefined || options.stdin === 'ignore' ? 'ignore' : 'pipe';
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, env, stdio: [stdin, 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      // A Node child started with --report-on-signal writes a diagnostic report (its JS stack) on SIGUSR2: a hang
      // then says where it hung.
      child.kill('SIGUSR2');
      setTimeout(
        () => {
          child.kill('SIGKILL');
          const report = options.reportDir ? hangReport(options.reportDir) : '';
          reject(
            new Error(
              `${[command, ...args].join(' ')} timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}${report}`,
            ),
          );
        },
        options.reportDir ? 2000 : 0,
      );
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
    if (stdin === 'pipe') child.stdin!.end(options.stdin);
  });
}

/** The JS stack of a diagnostic report a hung child wrote, for the timeout's error message. */
function hangReport(dir: string): string {
  const file = readdirSync(dir).find((f) => f.startsWith('report.') && f.endsWith('.json'));
  if (!file) return '';
  try {
    const report = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      javascriptStack?: { message?: string; stack?: string[] };
      libuv?: { type: string; is_active: boolean; details?: string }[];
    };
    const handles = (report.libuv ?? [])
      .filter((h) => h.is_active)
      .map((h) => `${h.type}${h.details ? ` ${h.details}` : ''}`);
    return `\nreport (${file}): ${report.javascriptStack?.message ?? ''}\n  ${(report.javascriptStack?.stack ?? []).join('\n  ')}\nactive handles: ${handles.join('; ')}`;
  } catch (err) {
    return `\nreport ${file} unreadable: ${(err as Error).message}`;
  }
}

export async function runNode(script: string, options: RunOptions = {}): Promise<RunResult> {
  const home = scratch('agenttap-home-');
  const sessionDir = join(home, 'session');
  const nodeArgs = [
    ...(options.loader === false ? [] : ['--import', LOADER]),
    ...(options.nodeArgs ?? []),
    script,
    ...(options.args ?? []),
  ];
  const env: Record<string, string | undefined> = {
    PATH: process.env.PATH,
    HOME: home,
    AGENTTAP_DIR: home,
    AGENTTAP_SESSION: 'session',
    AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key'),
    ...options.env,
  };
  const diagnose = ['--report-on-signal', '--report-signal=SIGUSR2', `--report-directory=${home}`];
  const run = await spawnBounded(options.node ?? process.execPath, [...diagnose, ...nodeArgs], {
    cwd: options.cwd,
    env,
    timeoutMs: options.timeoutMs,
    stdin: 'ignore',
    reportDir: home,
  });
  return { ...run, sessionDir, home };
}

/** Every event of a session, blobs expanded (what `agenttap cat --full` prints). */
export async function sessionEvents(dir: string): Promise<LogEvent[]> {
  const out: LogEvent[] = [];
  const warnings: string[] = [];
  for await (const { event } of readExpanded(dir, { onWarning: (w) => warnings.push(w) })) out.push(event as LogEvent);
  if (warnings.length) throw new Error(`log warnings: ${warnings.join('; ')}`);
  return out;
}

export function eventsOf<N extends LogEvent['event']>(events: LogEvent[], name: N): Extract<LogEvent, { event: N }>[] {
  return events.filter((e) => e.event === name) as Extract<LogEvent, { event: N }>[];
}

/** Every byte every file in a folder tree holds, for "the secret never reached disk" checks. */
export function allFileText(dir: string): string {
  let text = '';
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) text += readFileSync(join(entry.parentPath, entry.name), 'latin1');
  }
  return text;
}
