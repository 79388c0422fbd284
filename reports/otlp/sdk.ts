/**
 * The hand-over to the official OpenTelemetry JS packages: plain `SpanRecord`s as `ReadableSpan`s, sent by
 * `@opentelemetry/exporter-trace-otlp-http` (http/json) or `-proto` (http/protobuf). The packages load here, on
 * first use (`import()`), so a CLI command or a capture that does not export never loads them.
 *
 * The exporters read the standard variables themselves (`OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT`, `_HEADERS`,
 * `_TIMEOUT`, `_COMPRESSION`, certificates); what is given here (endpoint, headers) comes first.
 */
import type { HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Attributes, SpanRecord } from './types.js';

export type OtlpProtocol = 'http/json' | 'http/protobuf';
export const PROTOCOLS: readonly OtlpProtocol[] = ['http/json', 'http/protobuf'];

export interface ExporterOptions {
  /** The traces URL (`…/v1/traces`); absent: the exporter's (from OTEL_EXPORTER_OTLP_* or localhost:4318). */
  url?: string;
  headers?: Record<string, string>;
  protocol: OtlpProtocol;
  timeoutMillis?: number;
}

export interface ExportSummary {
  sent: number;
  batches: number;
}

const SCOPE = { name: 'agenttap', version: undefined as string | undefined };
const BATCH = 512;

function hrTime(ms: number): HrTime {
  const whole = Math.floor(ms);
  const nanos = Math.round((ms - whole) * 1e6) + (whole % 1000) * 1e6;
  return [Math.floor(whole / 1000) + Math.floor(nanos / 1e9), nanos % 1e9];
}

/** Records as the SDK's read-only spans (what an exporter takes), under one resource. */
export async function toReadableSpans(
  records: readonly SpanRecord[],
  resource: Attributes,
  scopeVersion?: string,
): Promise<ReadableSpan[]> {
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const res = resourceFromAttributes(resource);
  const scope = { ...SCOPE, version: scopeVersion };
  const ctx = (traceId: string, spanId: string) => ({ traceId, spanId, traceFlags: 1, isRemote: false });
  return records.map((r) => ({
    name: r.name,
    kind: r.kind,
    spanContext: () => ctx(r.traceId, r.spanId),
    parentSpanContext: r.parentSpanId ? ctx(r.traceId, r.parentSpanId) : undefined,
    startTime: hrTime(r.startMs),
    endTime: hrTime(Math.max(r.endMs, r.startMs)),
    duration: hrTime(Math.max(0, r.endMs - r.startMs)),
    status: r.status,
    attributes: r.attributes,
    links: r.links.map((l) => ({ context: ctx(l.traceId, l.spanId), attributes: l.attributes })),
    events: r.events.map((e) => ({ name: e.name, time: hrTime(e.timeMs), attributes: e.attributes })),
    ended: true,
    resource: res,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
}

/** The official exporter for a protocol. */
export async function createExporter(o: ExporterOptions) {
  const config = {
    ...(o.url ? { url: o.url } : {}),
    ...(o.headers && Object.keys(o.headers).length ? { headers: o.headers } : {}),
    ...(o.timeoutMillis ? { timeoutMillis: o.timeoutMillis } : {}),
  };
  if (o.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(config);
}

/** Sends the spans in batches, one after another; rejects with the exporter's error on the first failed batch. */
export async function exportSpans(spans: readonly ReadableSpan[], o: ExporterOptions): Promise<ExportSummary> {
  const exporter = await createExporter(o);
  let sent = 0;
  let batches = 0;
  try {
    for (let i = 0; i < spans.length; i += BATCH) {
      const batch = spans.slice(i, i + BATCH);
      const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(batch, resolve));
      if (result.code !== 0) throw result.error ?? new Error('the OTLP exporter reported a failure');
      sent += batch.length;
      batches++;
    }
  } finally {
    await exporter.shutdown().catch(() => undefined);
  }
  return { sent, batches };
}
