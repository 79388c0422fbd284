/**
 * OTLP export of a recorded session, and the mapping live export reuses.
 *
 *   log ─► buildReport (one read pass; SpanFacts subscribes) ─► sessionSpans(model, facts) : SpanRecord[]
 *       ─► toReadableSpans(records, resource) ─► exportSpans (official OTLP/HTTP exporter, json or protobuf)
 *
 * For live export: `SpanRecord` (types.ts) is plain data; `inferenceAttributes`/`inferenceName` map one exchange
 * row; ids.ts gives the same trace and span ids from the session id, pid, exchange id and tool call id, so a
 * span sent live and the same span exported later from the log are one span to a backend. Only sdk.ts loads
 * OpenTelemetry packages, and only when called.
 */
import { type BuildOptions, buildReport } from '../model/build.js';
import type { ReportModel } from '../model/types.js';
import { SpanFacts } from './facts.js';
import { type ExportSummary, type ExporterOptions, exportSpans, toReadableSpans } from './sdk.js';
import { sessionSpans } from './spans.js';
import type { Attributes, MappingOptions, SpanRecord } from './types.js';

export { DEFAULT_MAX_CONTENT, SpanFacts } from './facts.js';
export { agentSpanId, exchangeSpanId, spanIdOf, toolSpanId, traceIdOf } from './ids.js';
export { errorType, inferenceAttributes, inferenceName, isInference } from './attributes.js';
export { createExporter, exportSpans, PROTOCOLS, toReadableSpans } from './sdk.js';
export type { ExportSummary, ExporterOptions, OtlpProtocol } from './sdk.js';
export { extrasKey, sessionSpans } from './spans.js';
export * from './types.js';

export interface SessionSpans {
  model: ReportModel;
  spans: SpanRecord[];
}

/** A session's log as spans (no network): the report model built with the span facts, then mapped. */
export async function spansOfSession(path: string, options: MappingOptions & BuildOptions = {}): Promise<SessionSpans> {
  const facts = new SpanFacts(options);
  const model = await buildReport(path, { ...options, subscribers: [...(options.subscribers ?? []), facts] });
  return { model, spans: sessionSpans(model, facts.extras) };
}

/** The resource every exported span carries: the service (OTEL_SERVICE_NAME or `agenttap`) and the session. */
export function sessionResource(model: ReportModel, version?: string): Attributes {
  return {
    'service.name': process.env.OTEL_SERVICE_NAME || 'agenttap',
    ...(version ? { 'service.version': version } : {}),
    'agenttap.session': model.session.id,
  };
}

export async function exportSession(
  path: string,
  options: MappingOptions & BuildOptions & ExporterOptions & { version?: string },
): Promise<SessionSpans & ExportSummary> {
  const { model, spans } = await spansOfSession(path, options);
  const readable = await toReadableSpans(spans, sessionResource(model, options.version), options.version);
  const summary = await exportSpans(readable, options);
  return { model, spans, ...summary };
}
