/**
 * An OTLP/HTTP trace receiver on 127.0.0.1 (port 0) for tests: accepts `POST /v1/traces` as JSON
 * (`application/json`) and as protobuf (`application/x-protobuf`, gzip or not), and decodes protobuf with the
 * official definitions vendored under tests/fixtures/opentelemetry-proto/ (protobufjs) — never with the
 * exporter's own serializer, so a bug there cannot hide itself. Both encodings end as the same flat spans.
 *
 * It can be told to answer 500 (`mode: 'fail'`), to never answer (`'hang'`: the socket stays open until
 * `close()`), or to answer late (`delayMs`): what live export must survive without the agent noticing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { ROOT } from './run.js';

const PROTO_ROOT = join(ROOT, 'tests', 'fixtures', 'opentelemetry-proto');
const SERVICE_PROTO = 'opentelemetry/proto/collector/trace/v1/trace_service.proto';

export type ReceiverMode = 'ok' | 'fail' | 'hang';

/** One span as received, the same whichever encoding carried it. Ids in lowercase hex; times in ns as strings. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** '' for a root span. */
  parentSpanId: string;
  name: string;
  /** SpanKind as the proto numbers it: 1 INTERNAL, 2 SERVER, 3 CLIENT. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: Record<string, unknown>;
  events: { name: string; timeUnixNano: string; attributes: Record<string, unknown> }[];
  status: { code: number; message?: string };
  resource: Record<string, unknown>;
  scope: string;
}

export interface ReceivedRequest {
  protocol: 'json' | 'protobuf';
  headers: IncomingMessage['headers'];
  /** The body as it came over the wire (gzip removed): a secret scan reads these bytes. */
  raw: Buffer;
  spans: ReceivedSpan[];
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:<port>`: give `${url}/v1/traces` as the traces endpoint. */
  url: string;
  readonly requests: ReceivedRequest[];
  /** Every span received so far, in arrival order. */
  spans(): ReceivedSpan[];
  mode: ReceiverMode;
  delayMs: number;
  /** Resolves once `n` spans arrived; rejects after `timeoutMs`. */
  waitForSpans(n: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

let requestType: Promise<protobuf.Type> | undefined;

/** ExportTraceServiceRequest from the vendored .proto files (loaded once). */
function exportRequestType(): Promise<protobuf.Type> {
  requestType ??= (async () => {
    const root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith('/') ? target : join(PROTO_ROOT, target));
    await root.load(SERVICE_PROTO, { keepCase: false });
    return root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  })();
  return requestType;
}

export async function startOtlpReceiver(
  options: { mode?: ReceiverMode; delayMs?: number } = {},
): Promise<OtlpReceiver> {
  const type = await exportRequestType();
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const spans = () => requests.flatMap((r) => r.spans);

  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const receiver: OtlpReceiver = {
    url: '',
    requests,
    spans,
    mode: options.mode ?? 'ok',
    delayMs: options.delayMs ?? 0,
    waitForSpans(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (spans().length < n) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(spans());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`OTLP receiver: ${spans().length} of ${n} spans after ${timeoutMs} ms`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    if (req.method !== 'POST' || req.url?.split('?')[0] !== '/v1/traces') {
      res.writeHead(404).end();
      return;
    }
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const protocol = String(req.headers['content-type']).includes('protobuf') ? 'protobuf' : 'json';
    const body =
      protocol === 'protobuf'
        ? type.toObject(type.decode(raw), { longs: String, enums: Number, bytes: Buffer, defaults: false })
        : JSON.parse(raw.toString('utf8'));
    requests.push({ protocol, headers: req.headers, raw, spans: flatten(body) });
    for (const w of [...waiters]) w();
    if (receiver.mode === 'hang') return; // never answered; the socket is destroyed by close()
    if (receiver.delayMs > 0) await new Promise((r) => setTimeout(r, receiver.delayMs));
    if (receiver.mode === 'fail') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('receiver told to fail');
      return;
    }
    // An empty ExportTraceServiceResponse: `{}` in JSON, zero bytes in protobuf (all fields default).
    if (protocol === 'protobuf') res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return receiver;
}

type Obj = Record<string, unknown>;
const list = (v: unknown): Obj[] => (Array.isArray(v) ? (v as Obj[]) : []);

/** resourceSpans → scopeSpans → spans, as flat spans (the protobuf object and the JSON body share field names). */
function flatten(body: Obj): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const rs of list(body.resourceSpans)) {
    const resource = attributes((rs.resource as Obj | undefined)?.attributes);
    for (const ss of list(rs.scopeSpans)) {
      const scope = String((ss.scope as Obj | undefined)?.name ?? '');
      for (const s of list(ss.spans)) {
        const status = (s.status as Obj | undefined) ?? {};
        out.push({
          traceId: hexId(s.traceId),
          spanId: hexId(s.spanId),
          parentSpanId: hexId(s.parentSpanId),
          name: String(s.name ?? ''),
          kind: Number(s.kind ?? 0),
          startTimeUnixNano: String(s.startTimeUnixNano ?? '0'),
          endTimeUnixNano: String(s.endTimeUnixNano ?? '0'),
          attributes: attributes(s.attributes),
          events: list(s.events).map((e) => ({
            name: String(e.name ?? ''),
            timeUnixNano: String(e.timeUnixNano ?? '0'),
            attributes: attributes(e.attributes),
          })),
          status: {
            code: Number(status.code ?? 0),
            ...(status.message ? { message: String(status.message) } : {}),
          },
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

/** Protobuf gives bytes; OTLP/JSON gives the id as hex (the OTLP JSON mapping's one exception to base64). */
function hexId(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Buffer.isBuffer(v) || v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return String(v).toLowerCase();
}

function attributes(kvs: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(kvs)) out[String(kv.key)] = anyValue(kv.value as Obj | undefined);
  return out;
}

/** An OTLP AnyValue as plain JS: ints as numbers (int64 arrives as a string in both encodings). */
function anyValue(v: Obj | undefined): unknown {
  if (!v) return undefined;
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('arrayValue' in v) return list((v.arrayValue as Obj).values).map((x) => anyValue(x));
  if ('kvlistValue' in v) return attributes((v.kvlistValue as Obj).values);
  if ('bytesValue' in v) return v.bytesValue;
  return undefined;
}
