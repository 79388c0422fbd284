/**
 * Issue 10: interactive native Claude Code (the TUI, no `-p`) driven in tmux against the project's mock, plain and
 * under `agenttap run` (in-process through the Bun preload). One short task is typed in (write a file, answer),
 * then `/exit`. Checked:
 *   - the TUI renders the same: `capture-pane -p` of the ready screen, the answered screen and the screen after
 *     exit are equal once these are masked, and only these (each differs from run to run by itself):
 *       · durations ("Thought for 2s", "Sautéed for 1s"): wall-clock timings;
 *       · the completion line's verb ("✻ Sautéed for …"): drawn at random from a list by Claude Code;
 *       · the clock time ("· done 6:14 AM");
 *       · the session id in "claude --resume <uuid>": a random UUID per session;
 *     and, after exit, agenttap's own summary line (its one stderr line, once the agent has ended) is checked
 *     apart and taken out, and blank rows are left out (where the last lines land depends on terminal scrolling);
 *   - the calls the TUI makes (the session title, the main loop) are each captured once, and each carries Claude
 *     Code's own `query_source` label (`exchange.label`, joined from its raw-body index);
 *   - agenttap's mechanism label (the signature's, `agenttap report --json`) agrees with the `query_source`.
 *
 * Offline: `CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC` is left unset here (it suppresses the title call, which is
 * what the TUI test is about), so Claude Code's other side calls (remote managed settings, the changelog on
 * raw.githubusercontent.com) are sent to a proxy on a closed loopback port (HTTPS_PROXY) and fail at once, with no
 * DNS lookup; NO_PROXY keeps the mock (and agenttap's witness) direct. Same environment for both runs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import type { ParsedRequest, Turn } from '../../src/mock/types.js';
import {
  AGENTTAP_BIN,
  claudeCodeEnv,
  nativeClaudeCode,
  prepareClaudeHome,
  wireAndLogBodies,
} from '../helpers/claude-code.js';
import { ROOT, eventsOf, scratch, sessionEvents } from '../helpers/run.js';
import { hasTmux, startTmux, type Tmux } from '../helpers/tmux.js';

const exec = promisify(execFile);
const supported = process.platform === 'linux' && process.arch === 'x64';
const tmuxPresent = await hasTmux();

const API_KEY = claudeCodeEnv('', '').ANTHROPIC_API_KEY!;
const TASK = 'Write hello.md with one line saying hello, then tell me when it is done.';
const FILE_LINE = 'hello from the mock';
const DONE_TEXT = 'DONE: hello.md is written.';
const TITLE = 'Write a hello file';
const SUMMARY = /^agenttap: session \S+ \(\d+ model calls?, \d+ process(es)?\) — read it with: agenttap cat \S+$/;

/**
 * The mock's side of the task, from each request alone: the title call (no tools) gets its JSON title; the main
 * loop writes the file, then answers once the Write result is back.
 */
function tuiScript(req: ParsedRequest): Turn {
  if (req.tools.length === 0) return { text: JSON.stringify({ title: TITLE }) };
  const messages = Array.isArray(req.body?.messages) ? (req.body.messages as { content?: unknown }[]) : [];
  const last = messages.at(-1)?.content;
  const answersTool = Array.isArray(last) && last.some((b: { type?: unknown }) => b?.type === 'tool_result');
  return answersTool
    ? { text: DONE_TEXT }
    : { toolUse: { name: 'Write', input: { file_path: './hello.md', content: `${FILE_LINE}\n` } } };
}

/** Claude Code's own label → the mechanism agenttap's signatures should name (issue 10 part 3). */
const EXPECTED_MECHANISM: Record<string, string> = {
  repl_main_thread: 'main-loop',
  sdk: 'main-loop',
  generate_session_title: 'session-title',
  compact: 'compaction',
};
const expectedMechanism = (querySource: string) =>
  querySource.startsWith('agent:') ? 'sub-agent' : EXPECTED_MECHANISM[querySource];

/** What differs between two runs of the same TUI by itself (see the header). */
function maskScreen(screen: string): string {
  return screen
    .replace(/^(\s*)✻ \S+ for /gm, '$1✻ <verb> for ')
    .replace(/\b(\d+h )?(\d+m )?\d+(\.\d+)?s\b/g, '<duration>')
    .replace(/\b\d{1,2}:\d{2} ?[AP]M\b/g, '<clock>')
    .replace(/--resume [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '--resume <session-id>');
}

interface TuiRun {
  screens: { ready: string; answered: string; exited: string };
  status: number | undefined;
  received: ReceivedRequest[];
  sessionDir: string;
  written: string;
}

/** A screen that satisfies `test` and stays the same (masked) for `quietMs`: the TUI has settled. */
async function settled(
  tmux: Tmux,
  test: (s: string) => boolean,
  what: string,
  timeoutMs = 60_000,
  quietMs = 1000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = await tmux.waitFor(test, what, timeoutMs);
  for (let i = 0; i < 200 && Date.now() < deadline; i++) {
    await new Promise((r) => setTimeout(r, quietMs));
    const next = await tmux.screen();
    if (maskScreen(next) === maskScreen(screen) && test(next)) return next;
    screen = next;
  }
  throw new Error(`tmux: the ${what} screen did not settle within ${timeoutMs} ms; last:\n${screen}`);
}

/** A loopback port nothing listens on: a proxy there refuses at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function tuiRun(via: 'plain' | 'run', claude: string, cwd: string): Promise<TuiRun> {
  const mock = await startMock({ script: tuiScript });
  const refused = `http://127.0.0.1:${await closedPort()}`;
  // The same working folder path for both runs (Claude Code shows it), fresh each time.
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(cwd, { recursive: true });
  const home = prepareClaudeHome();
  // Past the first-run screens: onboarding done, this API key approved, this folder trusted.
  const config = JSON.parse(readFileSync(join(home, '.claude.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({
      ...config,
      hasCompletedOnboarding: true,
      lastOnboardingVersion: '2.1.330',
      customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
      projects: { [cwd]: { hasTrustDialogAccepted: true } },
    }),
  );
  const sessionsDir = scratch('agenttap-tui-sessions-');
  const { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: _essentialOnly, ...offline } = claudeCodeEnv(home, mock.url);
  const env = {
    PATH: process.env.PATH,
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
    ...offline,
    HTTPS_PROXY: refused,
    HTTP_PROXY: refused,
    NO_PROXY: '127.0.0.1,localhost,::1',
    ...(via === 'run'
      ? {
          AGENTTAP_DIR: sessionsDir,
          AGENTTAP_SESSION: 'tui',
          AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key'),
        }
      : {}),
  };
  const args = ['--permission-mode', 'acceptEdits', '--allowedTools', 'Write', 'Read'];
  const argv = via === 'plain' ? [claude, ...args] : [process.execPath, AGENTTAP_BIN, 'run', '--', claude, ...args];
  const tmux = await startTmux({ argv, cwd, env, width: 120, height: 40 });
  try {
    const ready = await settled(tmux, (s) => /^❯\s*$/m.test(s) && s.includes('accept edits on'), 'ready');
    await tmux.type(TASK);
    // Transient hints (the effort indicator, "← for agents") show while Claude Code still works in the background
    // (on a loaded machine, its title call): the answered screen is the one after they are gone.
    const answered = await settled(
      tmux,
      (s) =>
        s.includes(DONE_TEXT) && /✻ \S+ for .* · done/.test(s) && !s.includes('← for agents') && !s.includes('/effort'),
      'answered',
    );
    await tmux.type('/exit');
    let status: number | undefined;
    for (let i = 0; i < 100 && status === undefined; i++) {
      await new Promise((r) => setTimeout(r, 200));
      status = await tmux.exited();
    }
    // Joined: agenttap's summary line is longer than the window.
    const exited = await tmux.screen({ joinWrapped: true });
    return {
      screens: { ready, answered, exited },
      status,
      received: [...mock.received],
      sessionDir: join(sessionsDir, 'tui'),
      written: readFileSync(join(cwd, 'hello.md'), 'utf8'),
    };
  } finally {
    await tmux.kill();
    await mock.close();
  }
}

describe.runIf(supported && tmuxPresent)('native Claude Code TUI in tmux, plain and under agenttap run', () => {
  const claude = nativeClaudeCode();
  const base = scratch('agenttap-tui-');
  let plain: TuiRun;
  let run: TuiRun;
  beforeAll(async () => {
    expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
    plain = await tuiRun('plain', claude!, join(base, 'work'));
    run = await tuiRun('run', claude!, join(base, 'work'));
  }, 240_000);
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  test('the TUI renders the same under agenttap run (timings masked); the task ran; agenttap adds one line after exit', () => {
    expect(plain.written).toBe(`${FILE_LINE}\n`);
    expect(run.written).toBe(`${FILE_LINE}\n`);
    expect([plain.status, run.status]).toEqual([0, 0]);
    expect(plain.screens.answered).toContain(DONE_TEXT);
    expect(maskScreen(run.screens.ready)).toBe(maskScreen(plain.screens.ready));
    expect(maskScreen(run.screens.answered)).toBe(maskScreen(plain.screens.answered));
    // After exit, agenttap's summary (stderr, once Claude Code has ended) is the one line the plain run lacks.
    const runLines = run.screens.exited.split('\n');
    const summary = runLines.filter((l) => l.startsWith('agenttap:'));
    expect(summary).toHaveLength(1);
    expect(summary[0]).toMatch(SUMMARY);
    // Blank rows aside: once the TUI has left, where its last lines sit (rows above or below them) depends on when
    // the terminal scrolled for the lines written after it — seen both ways in either run.
    const written = (lines: string[]) =>
      lines.filter((l) => l.trim() !== '' && !l.startsWith('agenttap:')).map(maskScreen);
    expect(written(runLines)).toEqual(written(plain.screens.exited.split('\n')));
  });

  test('every call the TUI made is in the log once, recorded in-process, bodies equal after redaction', async () => {
    const { wire, logged, layers } = await wireAndLogBodies(run.received, run.sessionDir);
    expect(logged).toEqual(wire);
    expect(layers).toEqual(['fetch']);
    // The two runs made the same calls (the same number of each kind of request path).
    const paths = (r: ReceivedRequest[]) => r.map((x) => `${x.method} ${x.path}`).sort();
    expect(paths(run.received)).toEqual(paths(plain.received));
  });

  test("each call carries Claude Code's own query_source: the session title and the REPL main loop", async () => {
    const events = await sessionEvents(run.sessionDir);
    const requests = eventsOf(events, 'exchange.request').filter((r) => r.endpoint === 'anthropic.messages');
    const labels = eventsOf(events, 'exchange.label');
    // Once each: one label per model call, none left over.
    expect(labels.map((l) => l.exchange).sort()).toEqual(requests.map((r) => r.exchange).sort());
    const byExchange = new Map(labels.map((l) => [l.exchange, l.label]));
    const sources = requests.map((r) => byExchange.get(r.exchange));
    expect(sources.filter((s) => s === 'generate_session_title')).toHaveLength(1);
    expect(sources.filter((s) => s === 'repl_main_thread')).toHaveLength(2);
    // The title call is the one without tools; the main loop's carry them.
    for (const r of requests) {
      const tools = (r.body as { tools?: unknown[] } | undefined)?.tools ?? [];
      expect(byExchange.get(r.exchange), r.exchange).toBe(
        tools.length === 0 ? 'generate_session_title' : 'repl_main_thread',
      );
    }
  });

  // Kept apart: it depends on the native signatures (issue 10 part 3), written by another engineer at the same time.
  test("agenttap's mechanism label agrees with Claude Code's query_source on every call", async () => {
    const { stdout } = await exec(
      process.execPath,
      [AGENTTAP_BIN, 'report', run.sessionDir, '--json', '-', '--no-progress'],
      { timeout: 30_000, maxBuffer: 64 << 20 },
    );
    const report = JSON.parse(stdout) as { exchanges: { id: string; mechanism: string }[] };
    const labels = eventsOf(await sessionEvents(run.sessionDir), 'exchange.label');
    expect(labels.length).toBeGreaterThanOrEqual(3);
    const mechanismOf = new Map(report.exchanges.map((e) => [e.id, e.mechanism]));
    const pairs = labels.map((l) => ({ querySource: l.label, mechanism: mechanismOf.get(l.exchange) }));
    expect(pairs).toEqual(
      pairs.map((p) => ({ querySource: p.querySource, mechanism: expectedMechanism(p.querySource) })),
    );
  });
});
