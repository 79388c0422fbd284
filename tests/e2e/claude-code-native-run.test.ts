/**
 * Issue 10, part 1: the current native Claude Code (a Bun binary) under `agenttap run`, captured in-process by the
 * Bun preload (agenttap/bun) with the witness proxy behind it. Against the project's mock, offline:
 *   - the create / edit / sub-agent task, `/compact`, and a prompt whose first answer reports a context near the
 *     model's window (Claude Code then compacts on its own and continues), plain and under `agenttap run` (with a user's own
 *     BUN_OPTIONS preload to compose with): same exit codes and stdout, every request once in the log from the
 *     in-process layer (`fetch`), bodies equal after redaction, one stderr line (the summary), nothing else;
 *   - a paced stream: each delta reaches Claude Code's stdout before the mock sends the next;
 *   - rules: the sub-agent and compaction calls go out on another model, in-process, and the task completes;
 *   - part 2: every exchange carries Claude Code's own label (`query_source` from its raw-body index, joined by
 *     request id), checked against an oracle built from each request's shape; the raw (unredacted) files are
 *     gone after the run, and a folder left by a killed agenttap is swept by the next start;
 *   - part 3: the report names every exchange's mechanism from agenttap's own signatures, matching both that oracle
 *     and Claude Code's label; sub-agents hang off their `Agent` tool_use; nothing `unclassified`;
 *   - the in-process route broken on purpose (the tap installed before the bundle loads, which then never calls
 *     it): the run succeeds, the gap is said once on stderr and in the log, the witness records every call.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import { parseRequest } from '../../src/mock/request.js';
import { WITNESS_HEADER } from '../../src/bun/witness-mark.js';
import { buildReport } from '../../reports/index.js';
import {
  BIG_PROMPT,
  CONTINUED_TEXT,
  EDITED_LINE,
  FINAL_TASK_TEXT,
  TASK_PROMPT,
  classifyClaudeCodeRequest,
  claudeCodeScript,
  claudeCodeUsage,
} from '../fixtures/claude-code/script.js';
import {
  MECHANISM_OF_CALL,
  labelJoin,
  mechanismOfQuerySource,
  nativeClaudeCode,
  pacedStream,
  runClaudeCode,
  wireAndLogBodies,
  type ClaudeCodeOptions,
  type ClaudeCodeResult,
  type Via,
} from '../helpers/claude-code.js';
import { eventsOf, scratch, sessionEvents } from '../helpers/run.js';

// Create / edit / sub-agent, then `/compact`, then a prompt that makes Claude Code compact on its own.
const PROMPTS = [TASK_PROMPT, '/compact', BIG_PROMPT];
// The package installs only on linux-x64 (its `os`/`cpu` fields); anywhere else there is nothing to run.
const supported = process.platform === 'linux' && process.arch === 'x64';
const SUMMARY = /^agenttap: session \S+ \(\d+ model calls?, \d+ process(es)?\) — read it with: agenttap cat \S+\n$/;

interface Sequence {
  steps: ClaudeCodeResult[];
  received: ReceivedRequest[];
  sessionDir: string;
}

async function sequence(
  via: Via,
  claude: string,
  prompts: string[],
  extra: Partial<ClaudeCodeOptions> = {},
): Promise<Sequence> {
  const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
  try {
    const sessionsDir = scratch('agenttap-native-run-');
    const steps: ClaudeCodeResult[] = [];
    for (const [i, prompt] of prompts.entries()) {
      steps.push(
        await runClaudeCode({
          prompt,
          mockUrl: mock.url,
          via,
          claude: [claude],
          continueSession: i > 0,
          cwd: steps[0]?.cwd,
          home: steps[0]?.home,
          sessionsDir,
          session: 'native',
          ...extra,
        }),
      );
    }
    return { steps, received: [...mock.received], sessionDir: join(sessionsDir, 'native') };
  } finally {
    await mock.close();
  }
}

function kindsOf(received: ReceivedRequest[]) {
  return received
    .filter((r) => r.method === 'POST' && r.path === '/v1/messages')
    .map((r) => ({
      kind: classifyClaudeCodeRequest(
        parseRequest({ api: 'anthropic', n: 0, seq: 0, path: r.path, headers: {}, body: r.body, bodyBytes: 0 }),
      ),
      body: r.body as Record<string, unknown>,
    }));
}

describe.runIf(supported)('native Claude Code under agenttap run (in-process, Bun preload)', () => {
  const claude = nativeClaudeCode();
  let plain: Sequence;
  let run: Sequence;
  let userPreloadTrace: string;
  let tmp: string;
  beforeAll(async () => {
    // A private TMPDIR, holding a raw-body folder of an agenttap that was SIGKILLed (its pid is gone).
    tmp = scratch('agenttap-native-tmp-');
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid;
    const stale = join(tmp, `agenttap-cc-raw-${deadPid}-Ab12Cd`);
    mkdirSync(stale, { mode: 0o700 });
    writeFileSync(join(stale, 'x.request.json'), '{"secret":"sk-ant-api03-stale"}');
    expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
    // The user's own BUN_OPTIONS: agenttap's preload is added to it, not put in its place.
    const dir = scratch('agenttap-native-user-preload-');
    userPreloadTrace = join(dir, 'trace.txt');
    const userPreload = join(dir, 'user-preload.cjs');
    writeFileSync(userPreload, `require('node:fs').appendFileSync(${JSON.stringify(userPreloadTrace)}, 'ran\\n');\n`);
    plain = await sequence('plain', claude!, PROMPTS);
    run = await sequence('run', claude!, PROMPTS, { env: { BUN_OPTIONS: `--preload=${userPreload}`, TMPDIR: tmp } });
  }, 300_000);

  test('the task ran the same way: exit codes, stdout, files; stderr only the summary line', () => {
    expect(plain.steps.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(run.steps.map((s) => s.code)).toEqual([0, 0, 0]);
    expect(run.steps.map((s) => s.stdout)).toEqual(plain.steps.map((s) => s.stdout));
    expect(run.steps[0]!.stdout).toContain(FINAL_TASK_TEXT);
    expect(run.steps[2]!.stdout).toContain(CONTINUED_TEXT);
    expect(readFileSync(join(run.steps[0]!.cwd, 'notes', 'todo.md'), 'utf8')).toBe(`${EDITED_LINE}\n`);
    expect(plain.steps.map((s) => s.stderr)).toEqual(['', '', '']);
    for (const step of run.steps) expect(step.stderr).toMatch(SUMMARY);
    expect(readFileSync(userPreloadTrace, 'utf8')).toBe('ran\nran\nran\n');
    // One capturing process per Claude Code run; the witness recorded nothing, so it started no log.
    const logs = readdirSync(run.sessionDir).filter((f) => f.endsWith('.ndjson'));
    expect(
      logs.filter((f) => readFileSync(join(run.sessionDir, f), 'utf8').includes('"event":"session.start"')),
    ).toHaveLength(3);
  });

  test('every request once, recorded in-process (fetch layer), bodies equal after redaction; the mark never reaches the API', async () => {
    const { wire, logged, layers } = await wireAndLogBodies(run.received, run.sessionDir);
    expect(new Set(kindsOf(run.received).map((c) => c.kind))).toEqual(
      new Set(['main', 'subagent', 'compaction', 'continuation']),
    );
    expect(logged).toEqual(wire);
    expect(layers).toEqual(['fetch']);
    const events = await sessionEvents(run.sessionDir);
    expect(eventsOf(events, 'exchange.end').every((e) => e.outcome === 'complete')).toBe(true);
    expect(eventsOf(events, 'tap.warning')).toEqual([]);
    expect(run.received.every((r) => r.headers[WITNESS_HEADER] === undefined)).toBe(true);
  });

  test("Claude Code's own labels joined to every exchange, matching the request shapes; no raw-body file left", async () => {
    const events = await sessionEvents(run.sessionDir);
    const labels = eventsOf(events, 'exchange.label');
    const requests = eventsOf(events, 'exchange.request');
    // Once each; every exchange but, at most, the one a Claude Code process ended last (its index may lose that line
    // as `-p` exits: docs/claude-code.md#raw-body-dump).
    const joined = labelJoin(events);
    expect(joined.wrong).toEqual([]);
    expect(joined.unlabelled.filter((id) => !joined.lastEnded.includes(id))).toEqual([]);
    expect(new Set(labels.map((l) => l.source))).toEqual(new Set(['claude-code']));
    const expected = { main: /^sdk$/, continuation: /^sdk$/, subagent: /^agent:/, compaction: /^compact$/ } as Record<
      string,
      RegExp
    >;
    for (const r of requests) {
      const kind = classifyClaudeCodeRequest(
        parseRequest({ api: 'anthropic', n: 0, seq: 0, path: '/v1/messages', headers: {}, body: r.body, bodyBytes: 0 }),
      );
      const label = labels.find((l) => l.exchange === r.exchange)?.label;
      if (label !== undefined) expect(label, `${r.exchange} (${kind})`).toMatch(expected[kind] ?? /^$/);
    }
    // The private folders (this run's and the stale one) are gone; nothing unredacted stayed.
    expect(readdirSync(tmp).filter((n) => n.startsWith('agenttap-cc-raw-'))).toEqual([]);
  });

  test("the report names every exchange from agenttap's own signatures, as the mock's view and Claude Code's label do; 0 unclassified", async () => {
    const events = await sessionEvents(run.sessionDir);
    const bodies = new Map(eventsOf(events, 'exchange.request').map((e) => [e.exchange, e]));
    const labels = new Map(eventsOf(events, 'exchange.label').map((l) => [l.exchange, String(l.label)]));
    const model = await buildReport(run.sessionDir, {
      onWarning: (w) => {
        throw new Error(w);
      },
    });
    expect(model.exchanges.length).toBe(bodies.size);
    const seen = new Set<string>();
    for (const row of model.exchanges) {
      const request = bodies.get(row.id)!;
      const call =
        request.endpoint === 'anthropic.warmup'
          ? 'warm-up'
          : classifyClaudeCodeRequest(
              parseRequest({
                api: 'anthropic',
                n: 0,
                seq: 0,
                path: '/v1/messages',
                headers: {},
                body: request.body,
                bodyBytes: 0,
              }),
            );
      const oracle = MECHANISM_OF_CALL[call];
      const label = labels.get(row.id);
      const why = `${row.id} (${call}, query_source ${label}): ${row.signature} / ${row.reasons.join('; ')}`;
      expect(row.mechanism, why).toBe(oracle);
      if (label !== undefined) expect(mechanismOfQuerySource(label, call), why).toBe(oracle);
      expect([row.agent, row.agentVersion]).toEqual(['claude-code', expect.stringMatching(/^2\.1\.\d+$/)]);
      seen.add(row.mechanism);
    }
    expect(seen).toEqual(new Set(['main-loop', 'sub-agent', 'compaction', 'post-compaction']));
    // Each sub-agent thread hangs off the main loop's Agent tool_use.
    const subThreads = model.threads.filter((t) => t.mechanism === 'sub-agent');
    expect(subThreads.length).toBeGreaterThanOrEqual(1);
    for (const t of subThreads) expect(t.spawnedBy?.tool).toBe('Agent');
  });

  test('streaming is not buffered: Claude Code sees each delta before the mock sends the next', async () => {
    const { result, received, deltas, sent } = await pacedStream(claude!, 'run');
    expect(result.code).toBe(0);
    const { logged, layers } = await wireAndLogBodies(received, result.sessionDir);
    expect([logged.length, layers]).toEqual([1, ['fetch']]);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(deltas.length).toBe(sent.length);
    // Each delta is on Claude Code's stdout before the mock writes the next one (150 ms later).
    for (let i = 0; i + 1 < sent.length; i++) expect(deltas[i]!).toBeLessThan(sent[i + 1]!);
  }, 60_000);

  test('rules rewrite in-process: sub-agent and compaction go out on another model, the task completes', async () => {
    const rules = join(scratch('agenttap-native-rules-'), 'rules.json');
    writeFileSync(
      rules,
      JSON.stringify({
        rules: [
          {
            id: 'side-calls-to-haiku',
            match: { mechanism: ['claude-code.sub-agent', 'claude-code.compaction'] },
            actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
          },
        ],
      }),
    );
    const ruled = await sequence('run', claude!, [TASK_PROMPT, '/compact'], { agenttapArgs: ['--rules', rules] });
    expect(ruled.steps.map((s) => s.code)).toEqual([0, 0]);
    expect(ruled.steps[0]!.stdout).toContain(FINAL_TASK_TEXT);
    const calls = kindsOf(ruled.received);
    const side = calls.filter((c) => c.kind === 'subagent' || c.kind === 'compaction');
    expect(new Set(side.map((c) => c.kind))).toEqual(new Set(['subagent', 'compaction']));
    for (const c of side) expect(c.body.model, c.kind).toBe('claude-haiku-4-5');
    expect(calls.filter((c) => c.kind === 'main').every((c) => c.body.model !== 'claude-haiku-4-5')).toBe(true);
    const events = await sessionEvents(ruled.sessionDir);
    const applied = eventsOf(events, 'rewrite.applied');
    expect(applied.length).toBe(side.length);
    expect(applied.every((d) => d.sent)).toBe(true);
    // Decided in-process, on the bytes Claude Code handed to fetch.
    const byId = new Map(eventsOf(events, 'exchange.request').map((e) => [e.exchange, e.layer]));
    expect(new Set(applied.map((d) => byId.get(d.exchange)))).toEqual(new Set(['fetch']));
  }, 120_000);

  test('Claude Code SIGKILLed mid-call: agenttap run ends the same way, and its raw-body folder is deleted', async () => {
    const killTmp = scratch('agenttap-native-kill-tmp-');
    let killed: number | undefined;
    // At the first model request, kill the Claude Code process that runs with this TMPDIR (found in /proc).
    const mock = await startMock({
      pacingMs: 1000,
      script: () => {
        killed ??= findProcess((cmd, environ) => cmd.endsWith('/claude') && environ.includes(`TMPDIR=${killTmp}`));
        if (killed) process.kill(killed, 'SIGKILL');
        return { text: 'never finished' };
      },
    });
    try {
      const result = await runClaudeCode({
        prompt: 'Say something.',
        mockUrl: mock.url,
        via: 'run',
        claude: [claude!],
        env: { TMPDIR: killTmp },
      });
      expect(killed).toBeDefined();
      expect(result.signal).toBe('SIGKILL');
      expect(readdirSync(killTmp).filter((n) => n.startsWith('agenttap-cc-raw-'))).toEqual([]);
    } finally {
      await mock.close();
    }
  }, 60_000);

  test('the in-process route broken on purpose: the run succeeds, the gap is said once, the witness records every call', async () => {
    const broken = await sequence('run', claude!, [TASK_PROMPT], { env: { AGENTTAP_TEST_BUN_INSTALL_NOW: '1' } });
    const [step] = broken.steps;
    expect(step!.code).toBe(0);
    expect(step!.stdout).toContain(FINAL_TASK_TEXT);
    const gapLines = step!.stderr.split('\n').filter((l) => l.includes('in-process tap did not see a model call'));
    expect(gapLines).toHaveLength(1);
    const { wire, logged, layers } = await wireAndLogBodies(broken.received, broken.sessionDir);
    expect(wire.length).toBeGreaterThanOrEqual(5);
    expect(logged).toEqual(wire);
    expect(layers).toEqual(['proxy']);
    const warnings = eventsOf(await sessionEvents(broken.sessionDir), 'tap.warning');
    expect(warnings.map((w) => w.code)).toEqual(['in-process-gap']);
  }, 60_000);
});

/** A live process whose argv[0] and environment satisfy `test` (Linux /proc). */
function findProcess(test: (cmd: string, environ: string) => boolean): number | undefined {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0')[0]!;
      if (test(cmd, readFileSync(`/proc/${name}/environ`, 'utf8'))) return Number(name);
    } catch {
      // gone, or not ours to read
    }
  }
  return undefined;
}
