/**
 * Where and how the live export sends spans: `export.otlp` from the config over the standard
 * `OTEL_EXPORTER_OTLP_*` variables (the OTLP exporter spec's names and defaults), resolved once, on the agent's
 * thread, before the agent starts (src/config/load.ts), so a bad value stops the run with the variable and the fix.
 * The worker gets the resolved values only: it never reads those variables itself (the exporter would).
 *
 * The variables alone never turn export on: agents read the same ones for their own telemetry (Claude Code with
 * CLAUDE_CODE_ENABLE_TELEMETRY=1), and a user who set them for that did not ask agenttap to send their prompts.
 */
import { AgentTapError } from '../errors.js';

export type OtlpProtocol = 'http/protobuf' | 'http/json';

/** `export.otlp` as the config schema gives it. */
export interface OtlpConfig {
  endpoint?: string;
  protocol?: OtlpProtocol;
  headers?: Record<string, string>;
  content: boolean;
  interval: number;
  timeout?: number;
  exitWait: number;
}

export interface OtlpSettings {
  /** The traces URL, `/v1/traces` included. */
  url: string;
  protocol: OtlpProtocol;
  headers: Record<string, string>;
  content: boolean;
  intervalMs: number;
  timeoutMs: number;
  /** How long the agent's exit may wait for the last spans. */
  exitWaitMs: number;
}

const DEFAULT_BASE = 'http://localhost:4318';
const TRACES_PATH = 'v1/traces';
const DEFAULT_TIMEOUT_MS = 10_000;

/** The variables this reads, signal-specific first (the spec's precedence). */
export const OTLP_VARIABLES = {
  endpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  tracesEndpoint: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
  headers: ['OTEL_EXPORTER_OTLP_TRACES_HEADERS', 'OTEL_EXPORTER_OTLP_HEADERS'],
  protocol: ['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', 'OTEL_EXPORTER_OTLP_PROTOCOL'],
  timeout: ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT'],
} as const;

/**
 * Where the settings' values come from, for error messages: the config file by default, the `export otlp` flags
 * for the CLI. Whatever `config` holds wins over the variables.
 */
export interface SettingsSource {
  /** What wins over a variable, named in its error. */
  winner: string;
}
const FROM_CONFIG: SettingsSource = { winner: 'export.otlp in the config file' };

export function resolveOtlpSettings(
  config: OtlpConfig,
  env: NodeJS.ProcessEnv = process.env,
  source: SettingsSource = FROM_CONFIG,
): OtlpSettings {
  const fromEnv = <T>(names: readonly string[], parse: (value: string) => T): T | undefined => {
    const found = first(env, names);
    return found ? parsedOrThrow(found[1], parse, (p, fix) => invalidVariable(found[0], p, fix, source)) : undefined;
  };
  const timeoutMs = config.timeout ?? fromEnv(OTLP_VARIABLES.timeout, parseOtlpTimeout) ?? DEFAULT_TIMEOUT_MS;
  const url = config.endpoint
    ? withTracesPath(config.endpoint)
    : (fromEnv([OTLP_VARIABLES.tracesEndpoint], parseOtlpUrl) ?? // used as given (the spec)
      withTracesPath(fromEnv([OTLP_VARIABLES.endpoint], parseOtlpUrl) ?? DEFAULT_BASE));
  return {
    url,
    protocol: config.protocol ?? fromEnv(OTLP_VARIABLES.protocol, parseOtlpProtocol) ?? 'http/protobuf',
    headers: { ...fromEnv(OTLP_VARIABLES.headers, parseOtlpHeaders), ...config.headers },
    content: config.content,
    intervalMs: config.interval,
    timeoutMs,
    exitWaitMs: Math.min(config.exitWait, timeoutMs),
  };
}

/** What is wrong with one value and how to fix it; the caller names where the value came from. */
export class OtlpValueError extends Error {
  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super(problem);
  }
}

/** `parse(value)`, its OtlpValueError turned into the caller's error. */
export function parsedOrThrow<T>(
  value: string,
  parse: (value: string) => T,
  fail: (problem: string, fix: string) => Error,
): T {
  try {
    return parse(value);
  } catch (err) {
    if (err instanceof OtlpValueError) throw fail(err.problem, err.fix);
    throw err;
  }
}

function invalidVariable(variable: string, problem: string, fix: string, source: SettingsSource): AgentTapError {
  return new AgentTapError(
    'AGENTTAP_CONFIG_INVALID',
    `agenttap: invalid configuration\n  environment variable ${variable}: ${problem}. Fix: ${fix} (${source.winner} wins over it).`,
  );
}

/** The first of `names` that is set (an empty variable counts as unset), with its name. */
function first(env: NodeJS.ProcessEnv, names: readonly string[]): [string, string] | undefined {
  for (const name of names) {
    const value = env[name]?.trim();
    if (value) return [name, value];
  }
  return undefined;
}

/** A base URL gets `/v1/traces`; one that already ends with it is kept (a full URL given as the base). */
export function withTracesPath(base: string): string {
  if (base.replace(/\/+$/, '').endsWith(`/${TRACES_PATH}`)) return base;
  return `${base.replace(/\/+$/, '')}/${TRACES_PATH}`;
}

/** An http(s) URL, returned as given. */
export function parseOtlpUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new OtlpValueError(`"${value}" is not a URL`, 'give the collector\'s URL, e.g. "http://localhost:4318"');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new OtlpValueError(
      `"${url.protocol}" is not supported (agenttap exports OTLP over HTTP)`,
      "use an http:// or https:// URL (the collector's OTLP/HTTP port, 4318 by default)",
    );
  return value;
}

export function parseOtlpProtocol(value: string): OtlpProtocol {
  if (value === 'http/protobuf' || value === 'http/json') return value;
  const why = value === 'grpc' ? 'gRPC is not supported' : `"${value}" is not an OTLP protocol`;
  throw new OtlpValueError(why, 'use "http/protobuf" or "http/json" (and the collector\'s HTTP port, 4318)');
}

/** `k1=v1,k2=v2`, keys and values percent-encoded (the W3C baggage format the spec names). */
export function parseOtlpHeaders(value: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [i, pair] of value.split(',').entries()) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? decode(pair.slice(0, eq).trim()) : undefined;
    const val = eq > 0 ? decode(pair.slice(eq + 1).trim()) : undefined;
    if (!key || val === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw new OtlpValueError(
        `pair ${i + 1} is not a key=value header (its text is not repeated here: it may be a secret)`,
        'write comma-separated key=value pairs, e.g. "authorization=Bearer%20abc,x-team=ml"',
      );
    headers[key.toLowerCase()] = val;
  }
  return headers;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

function parseOtlpTimeout(value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms > 0 && ms <= 600_000))
    throw new OtlpValueError(`"${value}" is not a timeout in milliseconds`, 'give a whole number of ms, e.g. 10000');
  return ms;
}
