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

export function resolveOtlpSettings(config: OtlpConfig, env: NodeJS.ProcessEnv = process.env): OtlpSettings {
  const timeoutMs = config.timeout ?? envTimeout(env) ?? DEFAULT_TIMEOUT_MS;
  return {
    url: resolveUrl(config, env),
    protocol: config.protocol ?? envProtocol(env) ?? 'http/protobuf',
    headers: { ...envHeaders(env), ...config.headers },
    content: config.content,
    intervalMs: config.interval,
    timeoutMs,
    exitWaitMs: Math.min(config.exitWait, timeoutMs),
  };
}

function invalid(variable: string, problem: string, fix: string): AgentTapError {
  return new AgentTapError(
    'AGENTTAP_CONFIG_INVALID',
    `agenttap: invalid configuration\n  environment variable ${variable}: ${problem}. Fix: ${fix} (export.otlp in the config file wins over it).`,
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

function resolveUrl(config: OtlpConfig, env: NodeJS.ProcessEnv): string {
  if (config.endpoint) return withTracesPath(config.endpoint);
  const traces = first(env, [OTLP_VARIABLES.tracesEndpoint]);
  if (traces) return checkUrl(traces[0], traces[1]); // used as given (the spec)
  const base = first(env, [OTLP_VARIABLES.endpoint]);
  if (base) return withTracesPath(checkUrl(base[0], base[1]));
  return withTracesPath(DEFAULT_BASE);
}

/** A base URL gets `/v1/traces`; one that already ends with it is kept (a full URL given as the base). */
function withTracesPath(base: string): string {
  if (base.replace(/\/+$/, '').endsWith(`/${TRACES_PATH}`)) return base;
  return `${base.replace(/\/+$/, '')}/${TRACES_PATH}`;
}

function checkUrl(variable: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(variable, `"${value}" is not a URL`, 'give the collector\'s URL, e.g. "http://localhost:4318"');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw invalid(
      variable,
      `"${url.protocol}" is not supported (agenttap exports OTLP over HTTP)`,
      "use an http:// or https:// URL (the collector's OTLP/HTTP port, 4318 by default)",
    );
  return value;
}

function envProtocol(env: NodeJS.ProcessEnv): OtlpProtocol | undefined {
  const found = first(env, OTLP_VARIABLES.protocol);
  if (!found) return undefined;
  const [variable, value] = found;
  if (value === 'http/protobuf' || value === 'http/json') return value;
  const why = value === 'grpc' ? 'gRPC is not supported' : `"${value}" is not an OTLP protocol`;
  throw invalid(variable, why, 'use "http/protobuf" or "http/json" (and the collector\'s HTTP port, 4318)');
}

/** `k1=v1,k2=v2`, keys and values percent-encoded (the W3C baggage format the spec names). */
function envHeaders(env: NodeJS.ProcessEnv): Record<string, string> {
  const found = first(env, OTLP_VARIABLES.headers);
  if (!found) return {};
  const [variable, value] = found;
  const headers: Record<string, string> = {};
  for (const [i, pair] of value.split(',').entries()) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? decode(pair.slice(0, eq).trim()) : undefined;
    const val = eq > 0 ? decode(pair.slice(eq + 1).trim()) : undefined;
    if (!key || val === undefined || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key))
      throw invalid(
        variable,
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

function envTimeout(env: NodeJS.ProcessEnv): number | undefined {
  const found = first(env, OTLP_VARIABLES.timeout);
  if (!found) return undefined;
  const [variable, value] = found;
  const ms = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(ms > 0 && ms <= 600_000))
    throw invalid(variable, `"${value}" is not a timeout in milliseconds`, 'give a whole number of ms, e.g. 10000');
  return ms;
}
