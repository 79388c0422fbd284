/**
 * `agenttap import claude-otel <dir>`: a raw-body folder native Claude Code wrote without agenttap
 * (claude-otel-folder.ts) becomes an agenttap session, through the same capture a live run uses:
 *
 *   index line ─► request (body minus `betas`, which went out as the `anthropic-beta` header)
 *              ─► response (status 200, `request-id`) ─► end (the reassembled message, its usage)
 *              ─► exchange.label (Claude Code's `query_source`, as `agenttap run` joins it)
 *   all through createCapture's Recorder and createWriter's redactor and sink: the same redaction (the user's
 *   config and key), blobs and file format as a capture; layer `import`.
 *
 * What the folder does not hold is not made up: the URL (the Anthropic API's is recorded), the other headers, and
 * the timing (every record carries the time of the import; the order is the index's).
 * The folder is only read, never changed or deleted: it is the user's.
 */
import { existsSync, readdirSync } from 'node:fs';
import { loadConfig, type FlagNames } from '../config/load.js';
import { summarizeAnthropicJson } from '../exchange/anthropic.js';
import type { EndpointMatch } from '../exchange/endpoints.js';
import { isRecord } from '../exchange/json.js';
import { createWriter } from '../capture/writer.js';
import type { EventBody } from '../log/events.js';
import type { Recorder } from '../log/recorder.js';
import { ENV_PARENT_PID, ENV_SESSION_DIR, ENV_SESSION_ID, resolveSession } from '../log/session.js';
import { createCapture } from '../capture/capture.js';
import { EX_DATAERR, ImportInputError, readClaudeOtelFolder, type ClaudeOtelCall } from './claude-otel-folder.js';

/** The index names no URL: calls are recorded against the API Claude Code talks to by default. */
const API_URL = 'https://api.anthropic.com/v1/messages';

export interface ImportOptions {
  dir: string;
  /** `AGENTTAP_DIR` / `AGENTTAP_SESSION` / `AGENTTAP_CONFIG` as the flags give them. */
  env: NodeJS.ProcessEnv;
  flags?: FlagNames;
  notify: (message: string) => void;
}

export interface ImportResult {
  sessionDir: string;
  session: string;
  exchanges: number;
  labelled: number;
  /** Records the redactor could not handle: dropped, never written raw. */
  dropped: number;
  warnings: string[];
}

export async function importClaudeOtel(options: ImportOptions): Promise<ImportResult> {
  const folder = readClaudeOtelFolder(options.dir);
  const env = { ...options.env };
  // An import owns its session, whatever the shell it runs in inherited from an agenttap run.
  delete env[ENV_SESSION_DIR];
  delete env[ENV_SESSION_ID];
  delete env[ENV_PARENT_PID];
  const { config } = await loadConfig(env, undefined, options.flags);
  const place = resolveSession(config, env)!;
  if (existsSync(place.dir) && readdirSync(place.dir).length > 0) {
    throw new ImportInputError(
      `${place.dir}: this session already has a log. Fix: give another --session (or --out), so the two are not mixed.`,
      EX_DATAERR,
    );
  }

  const capture = createCapture(config, {
    notify: options.notify,
    start: (redactor) => ({
      import: { from: 'claude-otel', dir: redactor.text(options.dir), calls: folder.calls.length },
    }),
  });
  const writer = createWriter(config, place, options.notify);
  capture.recorder.attach(writer);
  const { recorder, ctx } = capture;
  const match = ctx.matchEndpoint('POST', new URL(API_URL))!;
  for (const call of folder.calls) {
    const id = ctx.nextExchangeId();
    record(call, id, match, recorder);
    const label: EventBody<'exchange.label'> = {
      exchange: id,
      source: 'claude-code',
      label: call.querySource,
      request_id: call.requestId,
      ...(call.sessionId ? { agent_session: call.sessionId } : {}),
    };
    recorder.later(({ sink }) => sink.write('exchange.label', label));
    // One call at a time: the raw bodies leave memory as soon as they are redacted and written.
    recorder.drainSync();
  }
  capture.close(writer);
  return {
    sessionDir: place.dir,
    session: place.id,
    exchanges: recorder.exchanges,
    labelled: folder.calls.length,
    dropped: recorder.dropped,
    warnings: folder.warnings,
  };
}

function record(call: ClaudeOtelCall, id: string, match: EndpointMatch, recorder: Recorder): void {
  // `betas` is the SDK's parameter, sent as the `anthropic-beta` header; the rest is the body as it went out.
  const { betas, ...body } = call.request;
  const headers: Record<string, string> =
    Array.isArray(betas) && betas.length > 0 ? { 'anthropic-beta': betas.map(String).join(',') } : {};
  recorder.request({
    id,
    layer: 'import',
    match,
    method: 'POST',
    url: API_URL,
    headers,
    body,
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
  });
  if (call.response === undefined) {
    recorder.end({
      id,
      outcome: 'error',
      durationMs: 0,
      error: { type: 'no-response', message: 'Claude Code wrote no response file for this call' },
      bytes: 0,
    });
    return;
  }
  // A message was answered with 200; an error body's status is not in the folder, so no response record is made up.
  if (!isRecord(call.response) || call.response.type !== 'error')
    recorder.response({ id, status: 200, headers: { 'request-id': call.requestId }, ttfbMs: 0 });
  recorder.end({
    id,
    outcome: 'complete',
    durationMs: 0,
    summary: { ...summarizeAnthropicJson(call.response), events: 0 },
    bytes: call.responseBytes,
  });
}
