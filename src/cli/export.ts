/**
 * `agenttap export otlp <session>`: a recorded session as OTLP spans on the GenAI semantic conventions, sent to a
 * collector over OTLP/HTTP (json or protobuf) by the official OpenTelemetry exporter (reports/otlp/). Idempotent:
 * the same session gives the same trace and span ids every time. The standard `OTEL_EXPORTER_OTLP_*` variables
 * work as they do for any OpenTelemetry exporter; the flags come first.
 */
import type { Command } from 'commander';
import { AgentTapError } from '../errors.js';
import {
  type OtlpSettings,
  parseOtlpHeaders,
  parseOtlpProtocol,
  parseOtlpUrl,
  parsedOrThrow,
  resolveOtlpSettings,
} from '../export/settings.js';
import { VERSION } from '../version.js';
import { inputError } from './output-files.js';

interface Options {
  endpoint?: string;
  headers?: string;
  protocol?: string;
  content?: boolean;
  maxContent?: string;
}

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
      const { url, headers, protocol, timeoutMs } = settingsOf(o);
      const maxContent = Number(o.maxContent);
      if (!Number.isInteger(maxContent) || maxContent < 256)
        throw new AgentTapError('AGENTTAP_USAGE', `--max-content ${o.maxContent}: not a whole number ≥ 256.`);
      const started = Date.now();
      // The exporter and the SDK load only now: no other command pays for them.
      const otlp = await import('../../reports/otlp/index.js');
      const onWarning = (m: string) => process.stderr.write(`agenttap export otlp: ${m}\n`);
      const target = url;
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
        ({ sent } = await otlp.exportSpans(readable, { url, headers, protocol, timeoutMillis: timeoutMs }));
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

/**
 * The flags over the standard variables, through the same resolution as the live export (src/export/settings.ts),
 * so both read OTEL_EXPORTER_OTLP_* alike; a bad flag names itself and the fix (not its value: a header may be a
 * secret; the problem quotes what is safe to show).
 */
function settingsOf(o: Options): OtlpSettings {
  const flag = <T>(name: string, value: string | undefined, parse: (value: string) => T): T | undefined =>
    value === undefined
      ? undefined
      : parsedOrThrow(
          value,
          parse,
          (problem, fix) => new AgentTapError('AGENTTAP_USAGE', `${name}: ${problem}. Fix: ${fix}.`),
        );
  const config = {
    endpoint: flag('--endpoint', o.endpoint, parseOtlpUrl),
    protocol: flag('--protocol', o.protocol, parseOtlpProtocol),
    headers: flag('--headers', o.headers, parseOtlpHeaders),
    content: false,
    interval: 0,
    exitWait: 0,
  };
  return resolveOtlpSettings(config, process.env, { winner: 'the --endpoint, --protocol and --headers flags' });
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return `${err.message}${code !== undefined && !err.message.includes(String(code)) ? ` (${code})` : ''}`;
}
