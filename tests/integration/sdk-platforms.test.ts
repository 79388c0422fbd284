/**
 * The platform clients (issue 3): rewrites of signed (Bedrock SigV4) and path-addressed (Vertex) requests
 * happen at the SDK layer, before the SDK serialises and signs (docs/sdk-layer.md#signed-bodies, docs/sdk-layer.md#model-in-the-url); the fetch layer leaves a
 * signed request untouched and the rules' decision says so. The mock verifies SigV4 with @smithy/signature-v4 — what the
 * Bedrock SDK signs with — and answers 403 to a request whose body or path no longer match the signature.
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';
import { withoutSdkConveniences } from '../helpers/sdk-fields.js';

const SECRET = 'agenttap-test-secret';
const APP = join(ROOT, 'tests/fixtures/apps/sdk-platforms.mjs');
const FROM = 'anthropic.claude-from-v1:0';
const TO = 'anthropic.claude-to-v1:0';

const bytes = (d: string | ArrayBuffer | ArrayBufferView): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** node:crypto in the shape @smithy/signature-v4 wants (hash, or HMAC when given a secret). */
class Sha256 {
  private readonly h;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.h.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
}

interface Received {
  path: string;
  body: Record<string, unknown>;
  signature: 'valid' | 'invalid' | 'none';
}

let server: Server;
let base: string;
const received: Received[] = [];

async function verifySigV4(req: IncomingMessage, rawPath: string, body: string): Promise<'valid' | 'invalid' | 'none'> {
  const auth = String(req.headers.authorization ?? '');
  // The signature covers x-amz-content-sha256, and that header must be the body's hash (as AWS checks).
  const claimed = req.headers['x-amz-content-sha256'];
  if (auth && claimed !== undefined && claimed !== createHash('sha256').update(body).digest('hex')) return 'invalid';
  const m =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]+)$/.exec(
      auth,
    );
  if (!m) return 'none';
  const [, accessKeyId, region, service, signedHeaders] = m as unknown as [string, string, string, string, string];
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) headers[name] = String(req.headers[name] ?? '');
  const amzDate = String(req.headers['x-amz-date']);
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId, secretAccessKey: SECRET },
    sha256: Sha256,
  });
  const url = new URL(rawPath, 'http://x');
  const signed = await signer.sign(
    {
      method: req.method!,
      protocol: 'http:',
      hostname: String(req.headers.host),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
    },
    { signingDate },
  );
  return signed.headers.authorization === auth ? 'valid' : 'invalid';
}

const frames = new EventStreamCodec(
  (b) => Buffer.from(b).toString('utf8'),
  (t) => Buffer.from(t, 'utf8'),
);
const str = (value: string) => ({ type: 'string' as const, value });
function frame(event: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return frames.encode({
    headers: { ':event-type': str('chunk'), ':message-type': str('event'), ':content-type': str('application/json') },
    body: Buffer.from(JSON.stringify({ bytes, p: 'abcdefgh' })),
  });
}
function streamEvents(model: string): Record<string, unknown>[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_bedrock_stream',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 7, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'streamed ' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'through Bedrock 🌊' } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } },
    { type: 'message_stop', 'amazon-bedrock-invocationMetrics': { inputTokenCount: 7, outputTokenCount: 6 } },
  ];
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = req.url ?? '/';
    const signature = await verifySigV4(req, path, text);
    received.push({
      path: decodeURIComponent(path),
      body: JSON.parse(text || '{}') as Record<string, unknown>,
      signature,
    });
    if (signature === 'invalid') {
      res
        .writeHead(403, { 'content-type': 'application/json' })
        .end(
          JSON.stringify({ message: 'The request signature we calculated does not match the signature you provided.' }),
        );
      return;
    }
    const decoded = decodeURIComponent(path);
    const model = (/\/model\/([^/]+)\/invoke/.exec(decoded) ?? /\/models\/([^/:]+):/.exec(decoded))?.[1] ?? 'unknown';
    if (decoded.endsWith('/invoke-with-response-stream')) {
      // Bedrock's stream: AWS event-stream frames, each wrapping one base64 Anthropic event; cut mid-frame.
      const wire = Buffer.concat(streamEvents(model).map((event) => frame(event)));
      res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
      for (let at = 0; at < wire.length; at += 37) res.write(wire.subarray(at, at + 37));
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: 'msg_platform_1',
        type: 'message',
        role: 'assistant',
        model,
        content: [{ type: 'text', text: `hello from ${model}` }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        usage: { input_tokens: 5, output_tokens: 4 },
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A model-swap rule (FROM → TO; Vertex: → claude-to) on the platform app, with the SDK layer on or off. */
async function run(
  platform: 'bedrock' | 'vertex',
  sdk: 'on' | 'off',
  model = FROM,
  extra: Record<string, string> = {},
) {
  received.length = 0;
  const rules = join(scratch(), 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({
      rules: [
        { id: 'swap', match: { model }, actions: [{ type: 'setModel', to: platform === 'vertex' ? 'claude-to' : TO }] },
      ],
    }),
  );
  const result = await runNode(APP, {
    env: {
      AGENTTAP_SDK: sdk,
      AGENTTAP_RULES: rules,
      PLATFORM: platform,
      PLATFORM_BASE_URL: platform === 'vertex' ? `${base}/v1` : base,
      PLATFORM_MODEL: model,
      ...extra,
    },
    timeoutMs: 20_000,
  });
  expect(result.code, result.stderr).toBe(0);
  const answer = JSON.parse(result.stdout.trim()) as { ok: boolean; model?: string; status?: number };
  const events = await sessionEvents(result.sessionDir);
  return { result, answer, events };
}

/** The same apps under a rules file that also caps max_tokens: the rules decide at the SDK layer, or refuse on the wire. */
async function runWithRules(platform: 'bedrock' | 'vertex', sdk: 'on' | 'off', model: string, to: string) {
  received.length = 0;
  const rules = join(scratch(), 'rules.json');
  writeFileSync(
    rules,
    JSON.stringify({
      rules: [
        {
          id: 'cheaper',
          match: { model },
          actions: [
            { type: 'setModel', to },
            { type: 'capMaxTokens', max: 32 },
          ],
        },
      ],
    }),
  );
  const result = await runNode(APP, {
    env: {
      AGENTTAP_SDK: sdk,
      AGENTTAP_RULES: rules,
      PLATFORM: platform,
      PLATFORM_BASE_URL: platform === 'vertex' ? `${base}/v1` : base,
      PLATFORM_MODEL: model,
    },
    timeoutMs: 20_000,
  });
  expect(result.code, result.stderr).toBe(0);
  const events = await sessionEvents(result.sessionDir);
  return {
    answer: JSON.parse(result.stdout.trim()) as { ok: boolean; model?: string },
    events,
    decisions: eventsOf(events, 'rewrite.applied'),
  };
}

describe('rules on the platform clients', () => {
  it('Bedrock with the SDK layer: the rules rewrite the params before signing — signature valid, new model in the path, logged once', async () => {
    const { answer, events, decisions } = await runWithRules('bedrock', 'on', FROM, TO);
    expect(answer).toMatchObject({ ok: true, model: TO });
    expect(received).toEqual([expect.objectContaining({ path: `/model/${TO}/invoke`, signature: 'valid' })]);
    expect(received[0]!.body.max_tokens).toBe(32);
    const requests = eventsOf(events, 'exchange.request');
    expect(decisions.map((d) => [d.exchange, d.sent, d.rules[0]!.rule])).toEqual([
      [requests[0]!.exchange, true, 'cheaper'],
    ]);
    expect(decisions[0]!.change).toMatchObject({ model: [FROM, TO], max_tokens: [64, 32] });
  });

  it('Bedrock without the SDK layer: the signed request goes out as the SDK signed it, and the log says why', async () => {
    const { answer, decisions } = await runWithRules('bedrock', 'off', FROM, TO);
    expect(answer).toMatchObject({ ok: true, model: FROM });
    expect(received).toEqual([expect.objectContaining({ path: `/model/${FROM}/invoke`, signature: 'valid' })]);
    expect(decisions).toHaveLength(1);
    expect(decisions[0]).toMatchObject({
      sent: false,
      rejected: [expect.stringMatching(/^a signed request: only the SDK layer can rewrite it/)],
    });
  });

  it('Vertex: with the SDK layer the new model is the one in the URL; without it the path-addressed request is left alone', async () => {
    const on = await runWithRules('vertex', 'on', 'claude-from', 'claude-to');
    expect(on.answer, JSON.stringify(on.decisions)).toMatchObject({ ok: true, model: 'claude-to' });
    expect(received[0]!.path).toMatch(/\/models\/claude-to:rawPredict$/);
    expect(received[0]!.body.model).toBeUndefined();
    expect(on.decisions.map((d) => d.sent)).toEqual([true]);

    const off = await runWithRules('vertex', 'off', 'claude-from', 'claude-to');
    expect(off.answer).toMatchObject({ ok: true, model: 'claude-from' });
    expect(received[0]!.path).toMatch(/\/models\/claude-from:rawPredict$/);
    expect(received[0]!.body.model).toBeUndefined();
    expect(off.decisions[0]).toMatchObject({
      sent: false,
      rejected: [expect.stringMatching(/^the model is in the URL path: only the SDK layer/)],
    });
  });
});

describe('Bedrock (SigV4) and Vertex under the SDK layer', () => {
  it('Bedrock: a model swap at the SDK layer is signed with the request — 200, new model in the path', async () => {
    const { answer, events } = await run('bedrock', 'on');
    expect(answer).toMatchObject({ ok: true, model: TO });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: `/model/${TO}/invoke`, signature: 'valid' });
    const [request] = eventsOf(events, 'exchange.request');
    expect(request!.sdk).toMatchObject({ client: 'anthropic-bedrock', method: 'messages.create', attempt: 1 });
    expect(request!['gen_ai.request.model']).toBe(TO);
    expect(eventsOf(events, 'tap.warning')).toEqual([]);
  });

  it('Bedrock: the same rule without the SDK layer is refused on the wire — the signature holds, never a 403', async () => {
    const { answer, events, result } = await run('bedrock', 'off');
    expect(answer).toMatchObject({ ok: true, model: FROM });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({ path: `/model/${FROM}/invoke`, signature: 'valid' });
    expect(received[0]!.body.model).toBeUndefined();
    // The refusal is the rules' decision on that exchange, in the log; nothing on the agent's stderr.
    const decisions = eventsOf(events, 'rewrite.applied');
    expect(decisions.map((d) => [d.exchange, d.sent])).toEqual([
      [eventsOf(events, 'exchange.request')[0]!.exchange, false],
    ]);
    expect(decisions[0]!.rejected).toEqual([
      expect.stringMatching(/^a signed request: only the SDK layer can rewrite it/),
    ]);
    expect(eventsOf(events, 'tap.warning')).toEqual([]);
    expect(result.stderr).toBe('');
  });

  it('Bedrock stream: event-stream frames are reassembled into the message the SDK handed back', async () => {
    const { answer, events } = await run('bedrock', 'on', FROM, { PLATFORM_STREAM: '1' });
    expect(answer).toMatchObject({ ok: true, model: TO, text: 'streamed through Bedrock 🌊' });
    expect(received[0]).toMatchObject({ path: `/model/${TO}/invoke-with-response-stream`, signature: 'valid' });
    const [end] = eventsOf(events, 'exchange.end');
    expect(end!.outcome).toBe('complete');
    const { message } = answer as unknown as { message: Record<string, unknown> };
    expect(end!.body).toEqual(withoutSdkConveniences(message));
    expect(end!['gen_ai.usage.output_tokens']).toBe(6);
  });

  it('the mock does verify: a body changed after signing gets a 403', async () => {
    const signer = new SignatureV4({
      service: 'bedrock',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDAGENTTAPTEST', secretAccessKey: SECRET },
      sha256: Sha256,
    });
    const url = new URL(`${base}/model/${encodeURIComponent(FROM)}/invoke`);
    const body = JSON.stringify({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 8,
      messages: [{ role: 'user', content: 'hi' }],
    });
    const signed = await signer.sign({
      method: 'POST',
      protocol: 'http:',
      hostname: url.host,
      path: url.pathname,
      query: {},
      headers: { host: url.host, 'content-type': 'application/json' },
      body,
    });
    const { host: _host, ...headers } = signed.headers;
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(200);
    expect((await fetch(url, { method: 'POST', headers, body: body.replace('hi', 'ho') })).status).toBe(403);
  });

  it('Vertex: the model rewritten at the SDK layer is the one in the wire URL', async () => {
    const { answer, events } = await run('vertex', 'on', 'claude-from');
    expect(answer).toMatchObject({ ok: true, model: 'claude-to' });
    expect(received).toHaveLength(1);
    expect(received[0]!.path).toBe(
      '/v1/projects/agenttap-proj/locations/us-east5/publishers/anthropic/models/claude-to:rawPredict',
    );
    const [request] = eventsOf(events, 'exchange.request');
    expect(new URL(request!['url.full']).pathname).toMatch(/\/models\/claude-to:rawPredict$/);
    expect(request!.sdk).toMatchObject({ client: 'anthropic-vertex', method: 'messages.create' });
    expect(request!['gen_ai.request.model']).toBe('claude-to');
  });
});
