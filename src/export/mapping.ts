/**
 * The live export's one door to the span mapping: the spans `agenttap export otlp` makes of a log file, and which
 * exchange a span stands for (an inference span can go out as soon as its exchange ended).
 *
 * INTERIM: until reports/otlp/ (the offline export's mapping, branch h-otlp) lands, an inference span per
 * exchange with the log's own GenAI fields, so the worker's plumbing can be exercised. Replaced by a call to
 * that mapping, never grown into a second one.
 */
import { createHash } from 'node:crypto';
import { SpanKind, SpanStatusCode, TraceFlags, type HrTime } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { readLogFile } from '../log/read.js';
import type { ReadableSpan } from './exporter.js';

const EXCHANGE = 'agenttap.exchange';

const hex = (text: string, chars: number) => createHash('sha256').update(text).digest('hex').slice(0, chars);
const hr = (ms: number): HrTime => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

export async function mapLogFile(file: string, session: string, _content: boolean): Promise<ReadableSpan[]> {
  const starts = new Map<string, Record<string, unknown>>();
  const spans: ReadableSpan[] = [];
  const resource = resourceFromAttributes({ 'service.name': 'agenttap' });
  for await (const { event: e } of readLogFile(file)) {
    const ev = e as Record<string, unknown> & { event: string };
    if (ev.event === 'exchange.request') starts.set(ev.exchange as string, ev);
    if (ev.event !== 'exchange.end') continue;
    const req = starts.get(ev.exchange as string);
    if (!req) continue;
    starts.delete(ev.exchange as string);
    const model = (req['gen_ai.request.model'] as string | undefined) ?? '';
    const startMs = req.time as number;
    const endMs = startMs + (ev.duration_ms as number);
    const attributes = Object.fromEntries(
      Object.entries({
        'gen_ai.operation.name': req['gen_ai.operation.name'],
        'gen_ai.provider.name': req['gen_ai.provider.name'],
        'gen_ai.request.model': req['gen_ai.request.model'],
        'gen_ai.response.model': ev['gen_ai.response.model'],
        'gen_ai.usage.input_tokens': ev['gen_ai.usage.input_tokens'],
        'gen_ai.usage.output_tokens': ev['gen_ai.usage.output_tokens'],
        [EXCHANGE]: ev.exchange,
      }).filter(([, v]) => v !== undefined),
    ) as ReadableSpan['attributes'];
    const traceId = hex(`agenttap:${session}`, 32);
    spans.push({
      name: `${req['gen_ai.operation.name']} ${model}`.trim(),
      kind: SpanKind.CLIENT,
      spanContext: () => ({ traceId, spanId: hex(`${session}/${ev.exchange}`, 16), traceFlags: TraceFlags.SAMPLED }),
      startTime: hr(startMs),
      endTime: hr(endMs),
      duration: hr(endMs - startMs),
      status: { code: ev.outcome === 'complete' ? SpanStatusCode.UNSET : SpanStatusCode.ERROR },
      attributes,
      links: [],
      events: [],
      ended: true,
      resource,
      instrumentationScope: { name: 'agenttap' },
      droppedAttributesCount: 0,
      droppedEventsCount: 0,
      droppedLinksCount: 0,
    });
  }
  return spans;
}

/** The exchange an inference span stands for; undefined for thread and tool spans. */
export function exchangeOfSpan(span: ReadableSpan): string | undefined {
  const value = span.attributes[EXCHANGE];
  return typeof value === 'string' ? value : undefined;
}

/** A span's identity across two mappings of the same file. */
export function spanKey(span: ReadableSpan): string {
  return span.spanContext().spanId;
}
