/**
 * A loopback "model API" for the faults the project's mock cannot script: SSE that is not SSE, gzip that is not
 * gzip, and a 50 MB stream generated on the fly (the mock would build it in memory). Every answer carries a
 * `request-id`, as the real API's do, so the suite can find the agent's finished calls in the log.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';

export type UpstreamKind = 'malformed-sse' | 'corrupt-gzip-json' | 'corrupt-gzip-sse' | 'huge';

export const HUGE_BYTES = 50 * 1024 * 1024;

const sse = (type: string, data: Record<string, unknown>) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
const start = sse('message_start', {
  message: {
    id: 'msg_01fault',
    type: 'message',
    role: 'assistant',
    model: 'claude-sonnet-5-5',
    content: [],
    stop_reason: null,
    usage: { input_tokens: 5, output_tokens: 1 },
  },
});
const blockStart = sse('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
const delta = (text: string) => sse('content_block_delta', { index: 0, delta: { type: 'text_delta', text } });
const stop =
  sse('content_block_stop', { index: 0 }) +
  sse('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } }) +
  sse('message_stop', {});

/** Events a strict parser chokes on: JSON cut short, a field line with no colon, raw binary, a CR-only line break. */
const MALFORMED = [
  start,
  blockStart,
  delta('one '),
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_de\n\n',
  'garbage line without a colon\n\n',
  Buffer.from([0xff, 0xfe, 0x00, 0x9c, 0x0a, 0x0a]),
  delta('two'),
  'event: ping\rdata: {"type":"ping"}\r\r',
  stop,
];

export async function startUpstream(kind: UpstreamKind): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => void answer(kind, res).catch(() => res.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function answer(kind: UpstreamKind, res: http.ServerResponse): Promise<void> {
  const requestId = `req_01${randomBytes(11).toString('hex')}`;
  const events = { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': requestId };
  if (kind === 'malformed-sse') {
    res.writeHead(200, events);
    for (const part of MALFORMED) await write(res, part);
    res.end();
  } else if (kind === 'corrupt-gzip-json') {
    // A gzip header, then bytes that inflate to nothing valid.
    const body = Buffer.concat([
      zlib.gzipSync('{"id":"msg_01fault","type":"message"').subarray(0, 12),
      randomBytes(64),
    ]);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-encoding': 'gzip',
      'content-length': String(body.length),
      'request-id': requestId,
    });
    res.end(body);
  } else if (kind === 'corrupt-gzip-sse') {
    // Valid gzip for the first events (sync-flushed, so they inflate), then a deflate block of the reserved type 3
    // ("invalid block type"). The response is held open a while: the inflate error alone ends the body. Garbage after
    // a complete member instead, or ending at once, races the error against the end: Node 20's fetch then sometimes
    // never settles the read (exit 13) with or without the tap, and the pair would compare a coin toss.
    res.writeHead(200, { ...events, 'content-encoding': 'gzip' });
    await write(res, await gzipFlushed(start + blockStart + delta('one ')));
    await write(res, Buffer.alloc(64, 0xff));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    res.end();
  } else {
    res.writeHead(200, events);
    await write(res, start + blockStart);
    const piece = delta('x'.repeat(64 * 1024 - 80));
    for (let sent = 0; sent < HUGE_BYTES; sent += piece.length) {
      if (!res.write(piece)) await drainOrClose(res);
      if (res.destroyed) return;
    }
    await write(res, stop);
    res.end();
  }
}

function write(res: http.ServerResponse, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(chunk, () => resolve());
  });
}

function drainOrClose(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

/** `text` as the start of a gzip stream, flushed (Z_SYNC_FLUSH) so a reader inflates all of it before any more comes. */
function gzipFlushed(text: string): Promise<Buffer> {
  const gz = zlib.createGzip();
  const parts: Buffer[] = [];
  gz.on('data', (chunk: Buffer) => parts.push(chunk));
  gz.write(text);
  return new Promise((resolve) =>
    gz.flush(zlib.constants.Z_SYNC_FLUSH, () => {
      resolve(Buffer.concat(parts));
      gz.destroy();
    }),
  );
}
