/**
 * The test receiver (tests/helpers/otlp-receiver.ts) decodes what the official exporters send, over http/json and
 * http/protobuf (the latter with the vendored .proto files), to the same spans; and it can fail or hang on purpose.
 */
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { type OtlpReceiver, startOtlpReceiver } from '../../helpers/otlp-receiver.js';

let receiver: OtlpReceiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function sendOne(exporter: JsonExporter | ProtoExporter) {
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('receiver-test');
  const parent = tracer.startSpan('parent');
  parent.setAttributes({ 's.str': 'x', 's.int': 7, 's.dbl': 0.5, 's.bool': true, 's.arr': ['a', 'b'] });
  parent.addEvent('ev', { k: 'v' });
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  return parent.spanContext();
}

describe('OTLP test receiver', () => {
  for (const [protocol, Exporter] of [
    ['json', JsonExporter],
    ['protobuf', ProtoExporter],
  ] as const) {
    it(`decodes http/${protocol} from the official exporter`, async () => {
      receiver = await startOtlpReceiver();
      const ctx = await sendOne(new Exporter({ url: `${receiver.url}/v1/traces` }));
      const [span] = await receiver.waitForSpans(1);
      expect(receiver.requests[0]!.protocol).toBe(protocol);
      expect(span).toMatchObject({
        traceId: ctx.traceId,
        spanId: ctx.spanId,
        parentSpanId: '',
        name: 'parent',
        kind: 1,
        attributes: { 's.str': 'x', 's.int': 7, 's.dbl': 0.5, 's.bool': true, 's.arr': ['a', 'b'] },
        events: [{ name: 'ev', attributes: { k: 'v' } }],
        scope: 'receiver-test',
      });
      expect(BigInt(span!.endTimeUnixNano)).toBeGreaterThanOrEqual(BigInt(span!.startTimeUnixNano));
    });
  }

  it('answers 500 when told to fail, and never when told to hang', async () => {
    receiver = await startOtlpReceiver({ mode: 'fail' });
    const failed = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"resourceSpans":[]}',
    });
    expect(failed.status).toBe(500);
    receiver.mode = 'hang';
    const hung = await Promise.race([
      fetch(`${receiver.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"resourceSpans":[]}',
      }).then(
        () => 'answered',
        () => 'failed',
      ),
      new Promise((r) => setTimeout(() => r('hanging'), 300)),
    ]);
    expect(hung).toBe('hanging');
    expect(receiver.requests).toHaveLength(2);
  });
});
