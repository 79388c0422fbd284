/**
 * Native Claude Code on Bedrock under `agenttap run`: the Bun preload records the streamed
 * `invoke-with-response-stream` call and decodes its AWS event-stream frames (src/exchange/eventstream.ts). The
 * decoder was required lazily from disk, which fails inside the compiled Bun binary ("Cannot find module
 * '@smithy/eventstream-codec'"): the record had no reassembled message. The bundle now carries it.
 * The Bedrock endpoint is a loopback server speaking the event-stream framing (auth skipped: no SigV4 here).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { nativeClaudeCode, runClaudeCode } from '../helpers/claude-code.js';
import { eventsOf, sessionEvents } from '../helpers/run.js';

const supported = process.platform === 'linux' && process.arch === 'x64';
const TEXT = 'streamed through Bedrock';

const frames = new EventStreamCodec(
  (b) => Buffer.from(b).toString('utf8'),
  (t) => Buffer.from(t, 'utf8'),
);
const str = (value: string) => ({ type: 'string' as const, value });
function frame(event: Record<string, unknown>): Uint8Array {
  const bytes = Buffer.from(JSON.stringify(event)).toString('base64');
  return frames.encode({
    headers: { ':event-type': str('chunk'), ':message-type': str('event'), ':content-type': str('application/json') },
    body: Buffer.from(JSON.stringify({ bytes })),
  });
}
function streamEvents(model: string): Record<string, unknown>[] {
  return [
    {
      type: 'message_start',
      message: {
        id: 'msg_bedrock_native',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 11, output_tokens: 1 },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: TEXT } },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 4 } },
    { type: 'message_stop' },
  ];
}

describe.runIf(supported)('native Claude Code on Bedrock under agenttap run', () => {
  let server: Server;
  let base: string;
  const paths: string[] = [];
  beforeAll(async () => {
    server = createServer(async (req, res) => {
      for await (const _ of req) void _;
      const path = decodeURIComponent(req.url ?? '/');
      paths.push(`${req.method} ${path}`);
      const model = /\/model\/([^/]+)\/invoke/.exec(path)?.[1] ?? 'unknown';
      if (req.method === 'POST' && path.endsWith('/invoke-with-response-stream')) {
        res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
        res.end(Buffer.concat(streamEvents(model).map((e) => frame(e))));
        return;
      }
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"not here"}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  test('the streamed Bedrock call is recorded in-process with its reassembled message', async () => {
    const claude = nativeClaudeCode();
    expect(claude, 'npm @anthropic-ai/claude-code-linux-x64 is a dev dependency: run npm ci').toBeDefined();
    const env = {
      CLAUDE_CODE_USE_BEDROCK: '1',
      ANTHROPIC_BEDROCK_BASE_URL: base,
      CLAUDE_CODE_SKIP_BEDROCK_AUTH: '1',
      AWS_REGION: 'us-east-1',
      ANTHROPIC_API_KEY: undefined,
    };
    const result = await runClaudeCode({ prompt: 'Say something.', mockUrl: base, via: 'run', claude: [claude!], env });
    expect(result.code, `${result.stdout}\n${result.stderr}\n${paths.join('\n')}`).toBe(0);
    expect(result.stdout).toContain(TEXT);
    const events = await sessionEvents(result.sessionDir);
    const streamed = eventsOf(events, 'exchange.request').filter((r) =>
      String(r['url.full']).includes('/invoke-with-response-stream'),
    );
    expect(streamed.length, paths.join('\n')).toBeGreaterThanOrEqual(1);
    const ends = eventsOf(events, 'exchange.end').filter((e) => streamed.some((r) => r.exchange === e.exchange));
    expect(ends.length).toBe(streamed.length);
    for (const e of ends) {
      expect(e.parse_error).toBeUndefined();
      expect(JSON.stringify(e.body)).toContain(TEXT);
      expect(e.usage).toMatchObject({ input_tokens: 11, output_tokens: 4 });
    }
  }, 60_000);
});
