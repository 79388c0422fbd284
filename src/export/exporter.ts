/**
 * The official OTLP/HTTP trace exporter for the resolved settings (JSON or protobuf). Loaded in the export worker
 * only: the agent's thread never loads `@opentelemetry/` (tests/unit/architecture/rules.ts).
 */
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { OtlpSettings } from './settings.js';

export type { ReadableSpan, SpanExporter };

export async function createExporter(settings: OtlpSettings): Promise<SpanExporter> {
  const config = { url: settings.url, headers: settings.headers, timeoutMillis: settings.timeoutMs };
  if (settings.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(config);
}
