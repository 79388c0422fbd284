/**
 * Reads a folder native Claude Code wrote with `CLAUDE_CODE_ENABLE_TELEMETRY=1 OTEL_LOG_RAW_API_BODIES=file:<dir>`
 * (≥ 2.1.274, PITFALLS N3):
 *
 *   index.jsonl                   one line per model call: {timestamp, session_id, query_source, model, request_id,
 *                                 message_id, message_uuid, request_file, response_file}
 *   <uuid>.request.json           the request as Claude Code built it: the wire body plus `betas` (sent as the
 *                                 `anthropic-beta` header) — UNREDACTED
 *   <request_id>.response.json    the response message, reassembled — UNREDACTED
 *
 * Only validation and reading happen here (no writing): a problem is one AgentTapError naming the file, the line
 * and the fix, with the exit status the CLI ends with (sysexits: 66 no input, 65 bad data). File names come from
 * the index, which is input like any other: a name that is not a plain file name in the folder is refused.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { AgentTapError } from '../errors.js';
import { isRecord } from '../exchange/json.js';

export const INDEX_FILE = 'index.jsonl';

/** sysexits(3): the input is missing (EX_NOINPUT) or malformed (EX_DATAERR). */
export const EX_NOINPUT = 66;
export const EX_DATAERR = 65;

export class ImportInputError extends AgentTapError {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super('AGENTTAP_LOG_INVALID', message);
  }
}

export interface ClaudeOtelCall {
  /** 1-based line of index.jsonl. */
  line: number;
  querySource: string;
  requestId: string;
  sessionId?: string;
  timestamp?: string;
  /** The request body as Claude Code logged it (with `betas`). */
  request: Record<string, unknown>;
  requestBytes: number;
  /** The response message; undefined when Claude Code wrote none (the call failed). */
  response?: unknown;
  responseBytes: number;
}

export interface ClaudeOtelFolder {
  calls: ClaudeOtelCall[];
  /** Things skipped, each a sentence (a torn last index line). */
  warnings: string[];
}

const FIX_DIR =
  'Fix: give the folder named in OTEL_LOG_RAW_API_BODIES=file:<dir> when Claude Code ran (with CLAUDE_CODE_ENABLE_TELEMETRY=1).';

export function readClaudeOtelFolder(dir: string): ClaudeOtelFolder {
  const stat = statOrUndefined(dir);
  if (!stat) throw new ImportInputError(`${dir}: no such folder. ${FIX_DIR}`, EX_NOINPUT);
  if (!stat.isDirectory()) throw new ImportInputError(`${dir}: not a folder. ${FIX_DIR}`, EX_NOINPUT);
  const indexFile = join(dir, INDEX_FILE);
  let text: string;
  try {
    text = readFileSync(indexFile, 'utf8');
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ImportInputError(
      missing
        ? `${indexFile}: no index in this folder. Claude Code writes it at its first model call (version 2.1.274 or later). ${FIX_DIR}`
        : `${indexFile}: cannot be read (${(err as Error).message}). Fix: run as a user who can read the folder.`,
      EX_NOINPUT,
    );
  }
  const lines = text.split('\n');
  // A file that does not end in a newline was cut mid-line (Claude Code was killed while writing): that line only.
  const torn = text.length > 0 && !text.endsWith('\n') ? lines.length : 0;
  const calls: ClaudeOtelCall[] = [];
  const warnings: string[] = [];
  for (const [i, raw] of lines.entries()) {
    const line = i + 1;
    if (raw.trim() === '') continue;
    const where = `${indexFile}:${line}`;
    let entry: unknown;
    try {
      entry = JSON.parse(raw);
    } catch {
      if (line === torn) {
        warnings.push(`${where}: the last line is cut short (Claude Code stopped while writing it); skipped`);
        continue;
      }
      throw new ImportInputError(
        `${where}: not a JSON line. Fix: remove or repair that line (each line is one JSON object Claude Code wrote).`,
        EX_DATAERR,
      );
    }
    calls.push(readCall(dir, where, line, entry, warnings));
  }
  if (calls.length === 0) throw new ImportInputError(`${indexFile}: lists no model call. ${FIX_DIR}`, EX_DATAERR);
  return { calls, warnings };
}

function readCall(dir: string, where: string, line: number, entry: unknown, warnings: string[]): ClaudeOtelCall {
  if (!isRecord(entry))
    throw new ImportInputError(`${where}: not a JSON object. Fix: remove or repair that line.`, EX_DATAERR);
  const field = (name: string): string => {
    const v = entry[name];
    if (typeof v !== 'string' || v === '')
      throw new ImportInputError(
        `${where}: "${name}" is missing or not a string. Fix: remove or repair that line.`,
        EX_DATAERR,
      );
    return v;
  };
  const requestFile = plainName(field('request_file'), where, 'request_file');
  const request = readJson(dir, requestFile, where, true);
  const body = request.value;
  if (!isRecord(body))
    throw new ImportInputError(
      `${join(dir, requestFile)} (named at ${where}): not a JSON object. Fix: the folder holds another tool's files; give Claude Code's.`,
      EX_DATAERR,
    );
  const responseName =
    typeof entry.response_file === 'string' ? plainName(entry.response_file, where, 'response_file') : undefined;
  const response =
    responseName === undefined ? { value: undefined, bytes: 0 } : readJson(dir, responseName, where, false);
  if (response.torn)
    warnings.push(
      `${join(dir, responseName!)} (named at ${where}): cut short (Claude Code exited while writing it); imported as a call with no response`,
    );
  return {
    line,
    querySource: field('query_source'),
    requestId: field('request_id'),
    sessionId: typeof entry.session_id === 'string' ? entry.session_id : undefined,
    timestamp: typeof entry.timestamp === 'string' ? entry.timestamp : undefined,
    request: body,
    requestBytes: request.bytes,
    response: response.value,
    responseBytes: response.bytes,
  };
}

/** A file name inside the folder, nothing else: `../x` or `/etc/x` in an index is refused. */
function plainName(name: string, where: string, field: string): string {
  if (basename(name) !== name || name === '.' || name === '..') {
    throw new ImportInputError(
      `${where}: "${field}" is "${name}", not a file name in this folder. Fix: remove or repair that line.`,
      EX_DATAERR,
    );
  }
  return name;
}

/**
 * `required`: a missing or unreadable request file is an error; a missing response file is a call that got none, and
 * so is one cut short (`torn`: Claude Code's native build can exit before its last response file is written whole).
 */
function readJson(
  dir: string,
  name: string,
  where: string,
  required: boolean,
): { value: unknown; bytes: number; torn?: boolean } {
  const file = join(dir, name);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return { value: undefined, bytes: 0 };
    throw new ImportInputError(
      `${file} (named at ${where}): ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message}. Fix: import the folder as Claude Code left it, or remove that index line.`,
      EX_NOINPUT,
    );
  }
  try {
    return { value: JSON.parse(text), bytes: Buffer.byteLength(text) };
  } catch {
    if (!required) return { value: undefined, bytes: 0, torn: true };
    throw new ImportInputError(
      `${file} (named at ${where}): not JSON. Fix: import the folder as Claude Code left it, or remove that index line.`,
      EX_DATAERR,
    );
  }
}

function statOrUndefined(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}
