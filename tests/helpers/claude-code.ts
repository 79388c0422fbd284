/**
 * Runs a real Claude Code in `-p` mode against a local mock model API, offline, in a scratch HOME — with or without
 * agenttap. Reusable on its own (the report tests record real sessions with it).
 *
 * API
 *   runClaudeCode({
 *     prompt,                 // the -p prompt (see tests/fixtures/claude-code/script.ts for TASK_PROMPT, BIG_PROMPT)
 *     mockUrl,                // http://127.0.0.1:PORT of startMock({ script: claudeCodeScript(), usage: claudeCodeUsage })
 *     via?,                   // 'plain' (default): the `claude` bin alone
 *                             // 'loader': node --import <repo>/loader cli.js (no CLI involved)
 *                             // 'run':    agenttap run -- claude …
 *                             // 'proxy':  agenttap proxy --upstream <mockUrl> --exec -- claude …
 *     cwd?, home?,            // scratch folders made when absent; reuse both for `continueSession`
 *     continueSession?,       // adds -c: the next prompt of the same Claude Code session (e.g. '/compact')
 *     claude?,                // the command to run: default [node_modules/.bin/claude] (2.1.112 cli.js);
 *                             // nativeClaudeCode() gives the native binary's path when installed
 *     sessionsDir?, session?, // agenttap's AGENTTAP_DIR / AGENTTAP_SESSION (scratch dir / random id by default);
 *                             // the same pair across runs puts them in one agenttap session
 *     agenttapArgs?,          // options of `agenttap run` / `agenttap proxy` before `--`, e.g. ['--report']
 *     allowedTools?, args?, env?, timeoutMs? (default 60 s), outputFormat? ('text' | 'json' | 'stream-json'),
 *     onStdoutLine?(line, at)  // each stdout line as it arrives (Date.now()), e.g. stream-json events
 *   }) → Promise<{ code, signal, stdout, stderr, durationMs, cwd, home, sessionDir, argv }>
 *   `sessionDir` is where agenttap logged (empty folder / absent for 'plain'); read it with sessionEvents().
 *
 *   claudeCodeEnv(home, baseUrl)   the offline environment (docs/claude-code.md#offline-tests)
 *   prepareClaudeHome(home?)       a HOME with `.claude.json` seeded so no metrics call leaves at exit
 *   nativeClaudeCode()             path of the native binary (npm @anthropic-ai/claude-code-linux-x64) or undefined
 *   wireAndLogBodies(mock.received, sessionDir) → { wire, logged, layers }: request bodies as the mock got them and
 *                                  as agenttap logged them, both redacted and canonical, sorted — expect equal arrays
 *
 * Network: only the mock (or agenttap's proxy) on 127.0.0.1 — the environment turns off telemetry, error reports,
 * auto-update and non-essential traffic, and the seeded `.claude.json` stops the metrics check at exit.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import type { LogEvent } from '../../src/log/events.js';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import { createRedactor, loadOrCreateKey } from '../../src/policy/redact/index.js';
import { ROOT, LOADER, eventsOf, scratch, sessionEvents } from './run.js';

export const CLAUDE_CODE_VERSION = '2.1.112';
export const CLAUDE_CLI = join(ROOT, 'node_modules', '@anthropic-ai', 'claude-code', 'cli.js');
export const CLAUDE_BIN = join(ROOT, 'node_modules', '.bin', 'claude');
export const AGENTTAP_BIN = join(ROOT, 'bin', 'agenttap.js');
export const DEFAULT_ALLOWED_TOOLS = ['Bash(mkdir:*)', 'Write', 'Edit', 'Read', 'Agent'];

export type Via = 'plain' | 'loader' | 'run' | 'proxy';

export interface ClaudeCodeOptions {
  prompt: string;
  mockUrl: string;
  via?: Via;
  cwd?: string;
  home?: string;
  continueSession?: boolean;
  claude?: string[];
  sessionsDir?: string;
  session?: string;
  /** Options of `agenttap run` / `agenttap proxy`, before `--` (e.g. ['--report']). */
  agenttapArgs?: string[];
  allowedTools?: string[];
  args?: string[];
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  outputFormat?: 'text' | 'json' | 'stream-json';
  /** Each stdout line as it arrives, with Date.now() (for stream-json timing). */
  onStdoutLine?: (line: string, at: number) => void;
}

export interface ClaudeCodeResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  cwd: string;
  home: string;
  /** `<sessionsDir>/<session>`: where agenttap logged (nothing there for 'plain'). */
  sessionDir: string;
  argv: string[];
}

export function claudeCodeEnv(home: string, baseUrl: string): Record<string, string> {
  return {
    HOME: home,
    ANTHROPIC_BASE_URL: baseUrl,
    ANTHROPIC_API_KEY: 'sk-ant-api03-agenttap-fake-key-for-the-mock-0000000000',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_TELEMETRY: '1',
    DISABLE_ERROR_REPORTING: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_BUG_COMMAND: '1',
    CLAUDE_CODE_DISABLE_FEEDBACK_SURVEY: '1',
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: '1',
  };
}

export function prepareClaudeHome(home = scratch('agenttap-cc-home-')): string {
  mkdirSync(home, { recursive: true });
  const file = join(home, '.claude.json');
  if (!existsSync(file)) {
    writeFileSync(file, JSON.stringify({ metricsStatusCache: { enabled: false, timestamp: Date.now() } }));
  }
  return home;
}

/** The native Claude Code binary from npm `@anthropic-ai/claude-code-linux-x64`, when installed. */
export function nativeClaudeCode(): string | undefined {
  try {
    const require = createRequire(join(ROOT, 'package.json'));
    const pkgDir = dirname(require.resolve('@anthropic-ai/claude-code-linux-x64/package.json'));
    for (const candidate of ['claude', join('bin', 'claude')]) {
      if (existsSync(join(pkgDir, candidate))) return join(pkgDir, candidate);
    }
  } catch {
    // not installed
  }
  return undefined;
}

/**
 * Claude Code run once per prompt in one conversation (the second and later with `-c`, same cwd and HOME), under
 * the loader into one session `cc` in `sessionsDir`: e.g. the task, then `/compact`.
 */
export async function runClaudeCodeSteps(
  prompts: string[],
  options: { mockUrl: string; sessionsDir: string; env?: Record<string, string | undefined> },
): Promise<ClaudeCodeResult[]> {
  const steps: ClaudeCodeResult[] = [];
  for (const [i, prompt] of prompts.entries()) {
    steps.push(
      await runClaudeCode({
        prompt,
        mockUrl: options.mockUrl,
        via: 'loader',
        continueSession: i > 0,
        cwd: steps[0]?.cwd,
        home: steps[0]?.home,
        sessionsDir: options.sessionsDir,
        session: 'cc',
        env: options.env,
      }),
    );
  }
  return steps;
}

export function runClaudeCode(options: ClaudeCodeOptions): Promise<ClaudeCodeResult> {
  const via = options.via ?? 'plain';
  const cwd = options.cwd ?? scratch('agenttap-cc-work-');
  const home = prepareClaudeHome(options.home);
  const sessionsDir = options.sessionsDir ?? scratch('agenttap-cc-sessions-');
  const session = options.session ?? `cc-${randomBytes(4).toString('hex')}`;
  const sessionDir = join(sessionsDir, session);

  const claudeArgs = [
    '-p',
    options.prompt,
    ...(options.continueSession ? ['-c'] : []),
    '--permission-mode',
    'acceptEdits',
    '--allowedTools',
    ...(options.allowedTools ?? DEFAULT_ALLOWED_TOOLS),
    ...(options.outputFormat
      ? ['--output-format', options.outputFormat, ...(options.outputFormat === 'stream-json' ? ['--verbose'] : [])]
      : []),
    ...(options.args ?? []),
  ];
  const claude = options.claude ?? [CLAUDE_BIN];
  let argv: string[];
  switch (via) {
    case 'plain':
      argv = [...claude, ...claudeArgs];
      break;
    case 'loader':
      argv = [process.execPath, '--import', LOADER, ...(options.claude ?? [CLAUDE_CLI]), ...claudeArgs];
      break;
    case 'run':
      argv = [process.execPath, AGENTTAP_BIN, 'run', ...(options.agenttapArgs ?? []), '--', ...claude, ...claudeArgs];
      break;
    case 'proxy':
      argv = [
        process.execPath,
        AGENTTAP_BIN,
        'proxy',
        '--upstream',
        options.mockUrl,
        ...(options.agenttapArgs ?? []),
        '--exec',
        '--',
        ...claude,
        ...claudeArgs,
      ];
      break;
  }

  const env: Record<string, string | undefined> = {
    // `claude` is `#!/usr/bin/env node`: the node running the tests comes first.
    PATH: [dirname(process.execPath), process.env.PATH].filter(Boolean).join(delimiter),
    ...claudeCodeEnv(home, options.mockUrl),
    ...(via === 'plain'
      ? {}
      : {
          AGENTTAP_DIR: sessionsDir,
          AGENTTAP_SESSION: session,
          AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key'),
        }),
    ...options.env,
  };
  // The proxy is the base URL: agenttap sets it for the command.
  if (via === 'proxy') delete env.ANTHROPIC_BASE_URL;
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];

  const timeoutMs = options.timeoutMs ?? 60_000;
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd,
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let pending = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!options.onStdoutLine) return;
      const at = Date.now();
      pending += d;
      for (let i = pending.indexOf('\n'); i !== -1; i = pending.indexOf('\n')) {
        options.onStdoutLine(pending.slice(0, i), at);
        pending = pending.slice(i + 1);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Claude Code (${via}) timed out after ${timeoutMs} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, durationMs: performance.now() - t0, cwd, home, sessionDir, argv });
    });
  });
}

/**
 * The model requests the mock received vs the ones agenttap logged, both as canonical JSON after redaction with the
 * test key (sorted: concurrent requests — a sub-agent next to the main loop — may be logged in another order).
 * Equal arrays ⇔ one record per request and every body logged as sent, secrets aside.
 */
export async function wireAndLogBodies(
  received: readonly { method: string; path: string; rawBody: Buffer }[],
  sessionDir: string,
): Promise<{ wire: string[]; logged: string[]; layers: string[] }> {
  const redactor = createRedactor({ key: loadOrCreateKey(join(ROOT, 'tests', 'fixtures', 'redaction.key')) });
  // Claude Code's connection warm-up (`HEAD /`, no body) is an exchange too.
  const WARMUP = 'HEAD /';
  const wire = received
    .filter(
      (r) =>
        (r.method === 'HEAD' && r.path === '/') ||
        (r.method === 'POST' && /\/v1\/(messages|chat\/completions|responses)(\/count_tokens)?$/.test(r.path)),
    )
    .map((r) => (r.method === 'HEAD' ? WARMUP : canonical(redactor.value(JSON.parse(r.rawBody.toString('utf8'))))))
    .sort();
  const requests = eventsOf(await sessionEvents(sessionDir), 'exchange.request') as unknown as {
    body?: unknown;
    layer: string;
    endpoint: string;
  }[];
  const logged = requests.map((e) => (e.endpoint === 'anthropic.warmup' ? WARMUP : canonical(e.body))).sort();
  return { wire, logged, layers: [...new Set(requests.map((e) => e.layer))] };
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

export interface PacedStream {
  result: ClaudeCodeResult;
  received: ReceivedRequest[];
  /** When each `content_block_delta` line reached Claude Code's stdout, and when the mock sent each delta (ms). */
  deltas: number[];
  sent: number[];
}

/**
 * One prompt answered by a mock that paces its deltas `pacingMs` apart, read by Claude Code itself
 * (`--output-format stream-json --include-partial-messages`): a stream held back anywhere on the way shows as a
 * delta that reaches Claude Code's stdout only after the mock sent the next one.
 */
export async function pacedStream(claude: string, via: Via, pacingMs = 150): Promise<PacedStream> {
  const mock = await startMock({ pacingMs, script: () => ({ text: 'alpha beta gamma delta epsilon zeta' }) });
  try {
    const deltas: number[] = [];
    const result = await runClaudeCode({
      prompt: 'Say something.',
      mockUrl: mock.url,
      via,
      claude: [claude],
      outputFormat: 'stream-json',
      args: ['--include-partial-messages'],
      onStdoutLine: (line, at) => {
        if (line.includes('"content_block_delta"')) deltas.push(at);
      },
    });
    const received = [...mock.received];
    const request = received.find((r) => r.path === '/v1/messages');
    const sent = request ? request.sentAt.filter((_, i) => request.sentEvents[i] === 'content_block_delta') : [];
    return { result, received, deltas, sent };
  } finally {
    await mock.close();
  }
}

/**
 * agenttap's mechanism for a request as the mock script sees it (`classifyClaudeCodeRequest`, plus the calls that
 * are no model call: warm-up, count_tokens) — an oracle built from the request's shape, not from the signatures.
 */
export const MECHANISM_OF_CALL: Readonly<Record<string, string>> = {
  main: 'main-loop',
  subagent: 'sub-agent',
  compaction: 'compaction',
  continuation: 'post-compaction',
  title: 'session-title',
  'warm-up': 'warm-up',
  'count-tokens': 'count-tokens',
};

/**
 * agenttap's mechanism for Claude Code's own label (`query_source` of its raw-body index; PITFALLS N4), or undefined
 * for a label not known here. Claude Code calls the request right after an automatic compaction its main loop
 * (`sdk` / `repl_main_thread`): the mock's view tells that one apart.
 */
export function mechanismOfQuerySource(querySource: string, call?: string): string | undefined {
  if (querySource === 'sdk' || querySource === 'repl_main_thread')
    return call === 'continuation' ? 'post-compaction' : 'main-loop';
  if (querySource === 'compact') return 'compaction';
  if (querySource.startsWith('agent:')) return 'sub-agent';
  if (querySource === 'generate_session_title') return 'session-title';
  return undefined;
}

export interface LabelJoin {
  /** Exchanges of the log with no `exchange.label`. */
  unlabelled: string[];
  /** The exchange each process ended last: the only ones Claude Code's index may miss (docs/claude-code.md#raw-body-dump). */
  lastEnded: string[];
  /** Exchanges labelled more than once, and labels naming an exchange the log does not have. */
  wrong: string[];
}

/**
 * How Claude Code's labels joined to a session's exchanges. Its index line for a call is written after the call's
 * response, asynchronously, and `-p` can exit before the last one lands: an honest join then leaves exactly that
 * exchange unlabelled. A broken join leaves many.
 */
export function labelJoin(events: LogEvent[]): LabelJoin {
  const ids = new Set(eventsOf(events, 'exchange.request').map((r) => r.exchange));
  const counts = new Map<string, number>();
  for (const l of eventsOf(events, 'exchange.label')) counts.set(l.exchange, (counts.get(l.exchange) ?? 0) + 1);
  const last = new Map<number, { exchange: string; mono: number }>();
  for (const e of eventsOf(events, 'exchange.end')) {
    const seen = last.get(e.pid);
    if (!seen || e.mono > seen.mono) last.set(e.pid, { exchange: e.exchange, mono: e.mono });
  }
  return {
    unlabelled: [...ids].filter((id) => !counts.has(id)),
    lastEnded: [...last.values()].map((l) => l.exchange),
    wrong: [...counts].filter(([id, n]) => n > 1 || !ids.has(id)).map(([id]) => id),
  };
}
