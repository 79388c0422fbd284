/**
 * `agenttap export otlp <session>`: a recorded session as OTLP spans on the GenAI semantic conventions, sent to a
 * collector over OTLP/HTTP (json or protobuf) by the official OpenTelemetry exporter (reports/otlp/). Idempotent:
 * the same session gives the same trace and span ids every time. The standard `OTEL_EXPORTER_OTLP_*` variables
 * work as they do for any OpenTelemetry exporter; the flags come first.
 */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import { VERSION } from '../version.js';
import { inputError } from './output-files.js';

interface Options {
  endpoint?: string;
  headers?: string;
  protocol?: string;
  content?: boolean;
  maxContent?: string;
}

const PROTOCOLS = ['http/json', 'http/protobuf'] as const;
type Protocol = (typeof PROTOCOLS)[number];

export function registerExportCommand(program: Command): void {
  const exp = program.command('export').description('send a recorded session to another system');
  exp
    .command('otlp')
    .description('send a session as OpenTelemetry spans (GenAI conventions) to an OTLP/HTTP collector')
    .argument('<session>', 'a session directory or one <pid>.ndjson file')
    .option(
      '--endpoint <url>',
      'collector base URL (…/v1/traces is added) or traces URL; default: OTEL_EXPORTER_OTLP_*',
    )
    .option('--headers <k=v,...>', 'extra request headers, e.g. authorization=Bearer%20xyz (values URL-encoded)')
    .option('--protocol <p>', 'http/protobuf (default) or http/json; default: OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL')
    .option('--content', 'include prompts, replies, tool arguments and results (from the log: already redacted)')
    .option('--max-content <chars>', 'longest JSON per content attribute; longer is cut and says so', '65536')
    .action(async (path: string, o: Options) => {
      const protocol = protocolOf(o.protocol);
      const url = o.endpoint !== undefined ? tracesUrl(o.endpoint) : undefined;
      const headers = o.headers !== undefined ? parseHeaders(o.headers) : undefined;
      const maxContent = Number(o.maxContent);
      if (!Number.isInteger(maxContent) || maxContent < 256)
        throw new AgentTapError('AGENTTAP_USAGE', `--max-content ${o.maxContent}: not a whole number ≥ 256.`);
      const started = Date.now();
      // The exporter and the SDK load only now: no other command pays for them.
      const otlp = await import('../../reports/otlp/index.js');
      const onWarning = (m: string) => process.stderr.write(`agenttap export otlp: ${m}\n`);
      const target = url ?? defaultTarget();
      let mapped: Awaited<ReturnType<typeof otlp.spansOfSession>>;
      try {
        mapped = await otlp.spansOfSession(path, { content: o.content === true, maxContent, onWarning });
      } catch (err) {
        throw inputError(err, path);
      }
      const { model, spans } = mapped;
      let sent: number;
      try {
        const readable = await otlp.toReadableSpans(spans, otlp.sessionResource(model, VERSION), VERSION);
        ({ sent } = await otlp.exportSpans(readable, { url, headers, protocol }));
      } catch (err) {
        process.stderr.write(
          `agenttap export otlp: sending to ${target} (${protocol}) failed: ${describe(err)}. Fix: check --endpoint ` +
            '(or OTEL_EXPORTER_OTLP_ENDPOINT), --protocol and --headers, and that the collector accepts OTLP/HTTP.\n',
        );
        process.exitCode = 1;
        return;
      }
      const count = (op: string) => spans.filter((s) => s.attributes['gen_ai.operation.name'] === op).length;
      process.stderr.write(
        `agenttap export otlp: sent ${sent} spans (${count('invoke_agent')} agents, ${model.exchanges.length} exchanges, ` +
          `${count('execute_tool')} tool calls) of session ${model.session.id} to ${target} (${protocol}) ` +
          `in ${Date.now() - started} ms; trace ${spans[0]?.traceId ?? '-'}\n`,
      );
    });
}

function protocolOf(flag: string | undefined): Protocol {
  const env = process.env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL || process.env.OTEL_EXPORTER_OTLP_PROTOCOL;
  const p = (flag ?? env ?? 'http/protobuf').trim();
  if ((PROTOCOLS as readonly string[]).includes(p)) return p as Protocol;
  const where = flag !== undefined ? '--protocol' : 'OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL';
  throw new AgentTapError(
    'AGENTTAP_USAGE',
    `${where} ${p}: not supported${p === 'grpc' ? ' (agenttap sends OTLP over HTTP only)' : ''}. Fix: use http/protobuf or http/json (a collector's OTLP/HTTP port is 4318).`,
  );
}

/** A base URL gets the traces path, as OTEL_EXPORTER_OTLP_ENDPOINT does; a URL already ending in it is kept. */
function tracesUrl(endpoint: string): string {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `--endpoint ${endpoint}: not a URL. Fix: give the collector's OTLP/HTTP address, e.g. --endpoint http://localhost:4318.`,
    );
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new AgentTapError(
      'AGENTTAP_USAGE',
      `--endpoint ${endpoint}: ${u.protocol} is not http: or https:. Fix: give an OTLP/HTTP address, e.g. http://localhost:4318.`,
    );
  if (u.pathname.endsWith('/v1/traces')) return u.href;
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/v1/traces`;
  return u.href;
}

/** `k=v,k2=v2`, values URL-encoded (the format of OTEL_EXPORTER_OTLP_HEADERS). */
function parseHeaders(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (!pair.trim()) continue;
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!key)
      throw new AgentTapError(
        'AGENTTAP_USAGE',
        `--headers: "${pair.trim().slice(0, 40)}" is not key=value. Fix: --headers "authorization=Bearer%20<token>,x-team=a".`,
      );
    try {
      out[key] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      out[key] = pair.slice(eq + 1).trim();
    }
  }
  return out;
}

function defaultTarget(): string {
  const env = process.env;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT) return `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`;
  return 'http://localhost:4318/v1/traces';
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.message}${code !== undefined && !err.message.includes(String(code)) ? ` (${code})` : ''}`;
}
