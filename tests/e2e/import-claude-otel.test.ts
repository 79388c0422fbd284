/**
 * Issue 10 part 2: `agenttap import claude-otel <dir>` on a folder the real native Claude Code wrote on its own
 * (`CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_LOG_RAW_API_BODIES=file:<dir>`, no agenttap anywhere), against the mock,
 * with secrets planted in the prompt:
 *   - the folder holds the secrets (unredacted, as Claude Code wrote it); no file the import wrote holds any;
 *   - every call the mock received is in the session once, its body equal to the wire body after redaction (the
 *     same redactor and key as a live capture), layer `import`; each carries Claude Code's own label;
 *   - `agenttap report --json` reads the session; the folder is left as it was;
 *   - bad input: a missing folder, a folder without an index, a malformed line, a file name that leaves the folder
 *     — one stderr line naming the file (and line) and the fix, sysexits status, nothing written; a torn last line
 *     (Claude Code killed while writing) is skipped with a warning.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { isRecord } from '../../src/exchange/json.js';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import { TASK_PROMPT, claudeCodeScript, claudeCodeUsage } from '../fixtures/claude-code/script.js';
import { AGENTTAP_BIN, nativeClaudeCode, runClaudeCode, wireAndLogBodies } from '../helpers/claude-code.js';
import { ROOT, allFileText, eventsOf, scratch, sessionEvents } from '../helpers/run.js';

const supported = process.platform === 'linux' && process.arch === 'x64';
// Split so that this file itself holds no whole secret a scanner would flag.
const GITHUB_TOKEN = 'ghp_' + 'Qq1Ww2Ee3Rr4Tt5Yy6Uu7Ii8Oo9Pp0Aa1Ss2Dd';
const ANTHROPIC_KEY =
  'sk-ant-api03-' + 'PlantedInThePromptForTheImportTest0000000000000000000000000000000000000000000000000000000000AA';
const PROMPT = `${TASK_PROMPT} For the record, the deploy token is ${GITHUB_TOKEN} and the old key was ${ANTHROPIC_KEY}.`;

/** A canonical body (sorted keys) with each thinking block's text as Claude Code's dump writes it. */
function thinkingMasked(canonical: string): string {
  return JSON.stringify(JSON.parse(canonical), (_key, v: unknown) => {
    if (isRecord(v) && v.type === 'thinking' && typeof v.thinking === 'string') v = { ...v, thinking: '<REDACTED>' };
    return isRecord(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v;
  });
}

const TORN_RESPONSE =
  /^agenttap import: \S+\.response\.json \(named at \S+\): cut short \(Claude Code exited while writing it\); imported as a call with no response$/;

function agenttap(args: string[]) {
  const env = { ...process.env, AGENTTAP_KEY_FILE: join(ROOT, 'tests', 'fixtures', 'redaction.key') };
  return spawnSync(process.execPath, [AGENTTAP_BIN, ...args], {
    encoding: 'utf8',
    env,
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
}

describe.runIf(supported)(
  'agenttap import claude-otel: a raw-body folder of native Claude Code becomes a redacted, labelled session',
  () => {
    const claude = nativeClaudeCode();
    let raw: string;
    let received: ReceivedRequest[];
    beforeAll(async () => {
      expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
      raw = scratch('agenttap-import-raw-');
      const mock = await startMock({ script: claudeCodeScript(), usage: claudeCodeUsage });
      try {
        const result = await runClaudeCode({
          prompt: PROMPT,
          mockUrl: mock.url,
          claude: [claude!],
          env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', OTEL_LOG_RAW_API_BODIES: `file:${raw}` },
        });
        expect(result.code, result.stderr).toBe(0);
        received = [...mock.received];
      } finally {
        await mock.close();
      }
    }, 120_000);

    test('the session holds every call once, bodies equal to the wire after redaction, each with its query_source; no secret written', async () => {
      // The folder is what a user would have: Claude Code's own files, secrets in clear.
      const before = allFileText(raw);
      expect(before).toContain(GITHUB_TOKEN);
      expect(before).toContain(ANTHROPIC_KEY);
      const out = scratch('agenttap-import-out-');
      const done = agenttap(['import', 'claude-otel', raw, '--out', out, '--session', 'imported']);
      expect(done.status, done.stderr).toBe(0);
      expect(done.stdout).toBe('');
      // Before the summary, at most a line per response file Claude Code left cut short (CI saw one at exit).
      const lines = done.stderr.trimEnd().split('\n');
      expect(lines.at(-1)).toMatch(
        /^agenttap: imported \d+ model calls \(\d+ labelled by Claude Code\) into session \S+ — read it with: agenttap report \S+$/,
      );
      for (const line of lines.slice(0, -1)) expect(line).toMatch(TORN_RESPONSE);
      const sessionDir = join(out, 'imported');

      const written = allFileText(out);
      expect(written).not.toContain(GITHUB_TOKEN);
      expect(written).not.toContain(ANTHROPIC_KEY);
      expect(written).not.toContain('PlantedInThePromptForTheImportTest');

      const { wire, logged, layers } = await wireAndLogBodies(received, sessionDir);
      expect(wire.length).toBeGreaterThanOrEqual(5);
      // Claude Code's dump itself writes the text of earlier thinking blocks as "<REDACTED>" (their signatures kept):
      // that text is not in the folder, so the wire side is compared with it masked the same way.
      expect(logged.map(thinkingMasked)).toEqual(wire.map(thinkingMasked));
      expect(layers).toEqual(['import']);

      const events = await sessionEvents(sessionDir);
      const requests = eventsOf(events, 'exchange.request');
      const labels = eventsOf(events, 'exchange.label');
      expect(labels.map((l) => l.exchange).sort()).toEqual(requests.map((r) => r.exchange).sort());
      const sources = new Set(labels.map((l) => l.label));
      // Seen once under load: one of the two missing; the message names what Claude Code did label.
      expect(sources.has('sdk'), `labels: ${[...sources].join(', ')}`).toBe(true);
      expect(
        [...sources].some((s) => s.startsWith('agent:')),
        `labels: ${[...sources].join(', ')}`,
      ).toBe(true);
      // The `betas` Claude Code logged went out as the anthropic-beta header.
      expect(requests.every((r) => typeof r.headers['anthropic-beta'] === 'string')).toBe(true);
      // Every call has its response, but those Claude Code left cut short at exit (one warning line each, above):
      // they are calls with no response (CI saw one).
      const ends = eventsOf(events, 'exchange.end');
      const whole = ends.filter((e) => e.outcome === 'complete' && e.usage !== undefined);
      expect(ends.length - whole.length, JSON.stringify(ends.map((e) => e.outcome))).toBe(lines.length - 1);

      // The report reads it; the folder is left as it was.
      const report = agenttap(['report', sessionDir, '--json', '-', '--no-progress']);
      expect(report.status, report.stderr).toBe(0);
      const model = JSON.parse(report.stdout) as { exchanges: { layer: string }[]; totals: { calls: number } };
      expect(model.exchanges.length).toBe(requests.length);
      expect(new Set(model.exchanges.map((e) => e.layer))).toEqual(new Set(['import']));
      expect(allFileText(raw)).toBe(before);
    });

    test('bad input: one line naming the file, the line and the fix; sysexits status; nothing written', () => {
      const out = scratch('agenttap-import-bad-');
      const fail = (dir: string) => agenttap(['import', 'claude-otel', dir, '--out', out, '--session', 'bad']);

      const missing = fail(join(out, 'no-such-folder'));
      expect(missing.status).toBe(66);
      expect(missing.stderr).toMatch(
        /^agenttap import: \S+no-such-folder: no such folder\. Fix: give the folder named in OTEL_LOG_RAW_API_BODIES=file:<dir>.*\n$/,
      );

      const empty = scratch('agenttap-import-empty-');
      const noIndex = fail(empty);
      expect(noIndex.status).toBe(66);
      expect(noIndex.stderr).toContain(`${join(empty, 'index.jsonl')}: no index in this folder.`);

      // A copy of the real folder with its second index line broken.
      const broken = scratch('agenttap-import-broken-');
      cpSync(raw, broken, { recursive: true });
      const lines = readFileSync(join(raw, 'index.jsonl'), 'utf8').split('\n');
      writeFileSync(join(broken, 'index.jsonl'), [lines[0], '{"query_source": "sdk", ', ...lines.slice(1)].join('\n'));
      const malformed = fail(broken);
      expect(malformed.status).toBe(65);
      expect(malformed.stderr).toBe(
        `agenttap import: ${join(broken, 'index.jsonl')}:2: not a JSON line. Fix: remove or repair that line (each line is one JSON object Claude Code wrote).\n`,
      );

      // An index line naming a file outside the folder is refused, not read.
      const escaping = scratch('agenttap-import-escape-');
      cpSync(raw, escaping, { recursive: true });
      const first = JSON.parse(lines[0]!) as Record<string, unknown>;
      writeFileSync(
        join(escaping, 'index.jsonl'),
        `${JSON.stringify({ ...first, request_file: '../../etc/passwd' })}\n`,
      );
      const outside = fail(escaping);
      expect(outside.status).toBe(65);
      expect(outside.stderr).toContain(
        `${join(escaping, 'index.jsonl')}:1: "request_file" is "../../etc/passwd", not a file name in this folder.`,
      );

      for (const r of [missing, noIndex, malformed, outside]) expect(r.stdout).toBe('');
      expect(existsSync(join(out, 'bad')) ? readdirSync(join(out, 'bad')) : []).toEqual([]);
    });

    test('a torn last index line (Claude Code killed while writing) is skipped with a warning; the rest is imported', async () => {
      const torn = scratch('agenttap-import-torn-');
      cpSync(raw, torn, { recursive: true });
      const calls = readFileSync(join(raw, 'index.jsonl'), 'utf8').trim().split('\n').length;
      appendFileSync(join(torn, 'index.jsonl'), '{"timestamp":"2026-12-02T06:00:00.000Z","query_so');
      const out = scratch('agenttap-import-torn-out-');
      const done = agenttap(['import', 'claude-otel', torn, '--out', out, '--session', 'torn']);
      expect(done.status, done.stderr).toBe(0);
      const [warning, summary] = done.stderr
        .trimEnd()
        .split('\n')
        .filter((l) => !TORN_RESPONSE.test(l));
      expect(warning).toBe(
        `agenttap import: ${join(torn, 'index.jsonl')}:${calls + 1}: the last line is cut short (Claude Code stopped while writing it); skipped`,
      );
      expect(summary).toContain(`imported ${calls} model calls`);
      expect(eventsOf(await sessionEvents(join(out, 'torn')), 'exchange.request')).toHaveLength(calls);

      // A response file cut short (Claude Code exited while writing it): that call is imported with no response.
      const cut = scratch('agenttap-import-cut-');
      cpSync(raw, cut, { recursive: true });
      const response = readdirSync(cut).find((f) => f.endsWith('.response.json'))!;
      writeFileSync(join(cut, response), readFileSync(join(cut, response), 'utf8').slice(0, 40));
      const cutOut = scratch('agenttap-import-cut-out-');
      const imported = agenttap(['import', 'claude-otel', cut, '--out', cutOut, '--session', 'cut']);
      expect(imported.status, imported.stderr).toBe(0);
      expect(imported.stderr).toContain(`${join(cut, response)} (named at ${join(cut, 'index.jsonl')}:`);
      expect(imported.stderr).toMatch(
        /cut short \(Claude Code exited while writing it\); imported as a call with no response\n/,
      );
      const cutEvents = await sessionEvents(join(cutOut, 'cut'));
      expect(eventsOf(cutEvents, 'exchange.request')).toHaveLength(calls);
      expect(eventsOf(cutEvents, 'exchange.end').filter((e) => e.outcome !== 'complete').length).toBeGreaterThanOrEqual(
        1,
      );
    });

    test('the import refuses a session that already has a log (two imports would mix)', () => {
      const out = scratch('agenttap-import-twice-');
      mkdirSync(join(out, 'taken'));
      writeFileSync(join(out, 'taken', '1.ndjson'), '');
      const again = agenttap(['import', 'claude-otel', raw, '--out', out, '--session', 'taken']);
      expect(again.status).toBe(65);
      expect(again.stderr).toContain('this session already has a log. Fix: give another --session');
    });
  },
);
