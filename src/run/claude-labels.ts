/**
 * Claude Code's own names for its calls, joined in (issue 10 part 2; docs/claude-code.md#raw-body-dump, docs/claude-code.md#query-source). When agenttap starts
 * Claude Code, the native binary is asked to keep its raw-body index in a private folder:
 *
 *   CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_LOG_RAW_API_BODIES=file:<tmp>/agenttap-cc-raw-<our pid>-XXXXXX (0700)
 *     └─ index.jsonl: one line per call {query_source, session_id, request_id, …}
 *        + <uuid>.request.json / <request_id>.response.json — UNREDACTED bodies: never read, deleted
 *
 * After the command ends, each index line is joined by `request_id` (the API's `request-id` response header,
 * which the log records) to its exchange, and an `exchange.label` event is written; then the folder is deleted.
 * A folder left by an agenttap that was killed is deleted by the next one that starts (its pid is gone).
 * A user who configured OTel themselves is left alone; a `file:` folder of theirs is read, never deleted.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRecord } from '../exchange/json.js';
import { PRIVATE_FILE_MODE } from '../fs/make-dir.js';
import type { EventBody } from '../log/events.js';
import { LOG_VERSION } from '../log/log-version.js';
import { sessionFiles } from '../log/read.js';

const PREFIX = 'agenttap-cc-raw-';
const RAW_BODIES = 'OTEL_LOG_RAW_API_BODIES';

export interface ClaudeRawBodies {
  /** What the command's environment gets (empty when the user's own settings stand). */
  env: Record<string, string>;
  dir: string;
  /** Made by us: deleted when done. */
  owned: boolean;
}

/** Undefined when the user's OTel settings stand and name no `file:` folder to read. */
export function prepareClaudeRawBodies(env: NodeJS.ProcessEnv): ClaudeRawBodies | undefined {
  sweepStaleFolders();
  const theirs = env[RAW_BODIES];
  if (theirs !== undefined)
    return theirs.startsWith('file:') ? { env: {}, dir: theirs.slice('file:'.length), owned: false } : undefined;
  if (env.CLAUDE_CODE_ENABLE_TELEMETRY !== undefined || Object.keys(env).some((k) => k.startsWith('OTEL_')))
    return undefined;
  const dir = mkdtempSync(join(tmpdir(), `${PREFIX}${process.pid}-`)); // mode 0700
  return { env: { CLAUDE_CODE_ENABLE_TELEMETRY: '1', [RAW_BODIES]: `file:${dir}` }, dir, owned: true };
}

export interface JoinResult {
  labelled: number;
  /** Index lines whose request id no exchange of the session has. */
  unmatched: number;
}

/** Joins the index into the session log, then deletes the folder if it is ours. Never throws. */
export function joinClaudeLabels(raw: ClaudeRawBodies, sessionDir: string, session: string): JoinResult {
  try {
    const lines = readIndex(raw.dir);
    if (lines.length === 0) return { labelled: 0, unmatched: 0 };
    const exchanges = exchangesByRequestId(sessionDir);
    const records: string[] = [];
    for (const line of lines) {
      const exchange = exchanges.get(line.request_id);
      if (!exchange) continue;
      const body: EventBody<'exchange.label'> = {
        exchange,
        source: 'claude-code',
        label: line.query_source,
        request_id: line.request_id,
        ...(line.session_id ? { agent_session: line.session_id } : {}),
      };
      // The sink's line format, written synchronously: the runner may re-raise the agent's signal right after.
      const base = { level: 30, time: Date.now(), v: LOG_VERSION, session, pid: process.pid, ppid: process.ppid };
      records.push(
        JSON.stringify({
          ...base,
          event: 'exchange.label',
          mono: Math.round(performance.now() * 1000) / 1000,
          ...body,
        }),
      );
    }
    if (records.length > 0)
      appendFileSync(join(sessionDir, `${process.pid}.ndjson`), `${records.join('\n')}\n`, { mode: PRIVATE_FILE_MODE });
    return { labelled: records.length, unmatched: lines.length - records.length };
  } catch {
    return { labelled: 0, unmatched: 0 };
  } finally {
    if (raw.owned) rmSync(raw.dir, { recursive: true, force: true });
  }
}

interface IndexLine {
  query_source: string;
  request_id: string;
  session_id?: string;
}

function readIndex(dir: string): IndexLine[] {
  const file = join(dir, 'index.jsonl');
  if (!existsSync(file)) return [];
  const out: IndexLine[] = [];
  for (const text of readFileSync(file, 'utf8').split('\n')) {
    try {
      const v = JSON.parse(text) as unknown;
      if (isRecord(v) && typeof v.query_source === 'string' && typeof v.request_id === 'string') {
        out.push({
          query_source: v.query_source,
          request_id: v.request_id,
          session_id: typeof v.session_id === 'string' ? v.session_id : undefined,
        });
      }
    } catch {
      // a torn last line
    }
  }
  return out;
}

/** request-id response header → exchange id, over every log of the session. */
function exchangesByRequestId(sessionDir: string): Map<string, string> {
  const map = new Map<string, string>();
  let files: string[];
  try {
    files = sessionFiles(sessionDir);
  } catch {
    return map;
  }
  for (const file of files) {
    for (const text of readFileSync(file, 'utf8').split('\n')) {
      if (!text.includes('"event":"exchange.response"')) continue;
      try {
        const v = JSON.parse(text) as { exchange?: unknown; headers?: Record<string, unknown> };
        const id = v.headers?.['request-id'];
        if (typeof id === 'string' && typeof v.exchange === 'string') map.set(id, v.exchange);
      } catch {
        // torn line
      }
    }
  }
  return map;
}

/** Folders of agenttap processes that are gone (killed before they could clean up). */
function sweepStaleFolders(): void {
  let names: string[];
  try {
    names = readdirSync(tmpdir()).filter((n) => n.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(name.slice(PREFIX.length).split('-', 1)[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isAlive(pid)) continue;
    rmSync(join(tmpdir(), name), { recursive: true, force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
