/**
 * Writing answers to the socket: JSON (optionally gzipped) and SSE streams paced event by event,
 * each event its own flushed write (through a Z_SYNC_FLUSH-ed gzip stream when gzipping), with
 * timestamps recorded and mid-stream disconnects.
 */
import type { ServerResponse } from 'node:http';
import zlib from 'node:zlib';
import type { StreamPlan } from './faults.js';
import { formatSse } from './sse.js';
import type { ReceivedRequest } from './types.js';
import { sleep } from './util.js';

export interface WriteContext {
  res: ServerResponse;
  record: ReceivedRequest;
  /** Aborts when the client goes away or the server closes. */
  signal: AbortSignal;
  gzip: boolean;
}

export function sendJson(ctx: WriteContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const { res } = ctx;
  if (res.headersSent || res.destroyed) return;
  ctx.record.status = status;
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  let payload: Buffer = Buffer.from(text);
  const h: Record<string, string> = {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json',
    ...headers,
  };
  if (ctx.gzip) {
    payload = zlib.gzipSync(payload);
    h['content-encoding'] = 'gzip';
  }
  h['content-length'] = String(payload.length);
  res.writeHead(status, h);
  res.end(payload);
}

/** A JSON body cut off half-way (or before any byte when `afterBytes` is 0). */
export async function sendJsonThenDisconnect(
  ctx: WriteContext,
  body: unknown,
  headers: Record<string, string>,
  partial: boolean,
): Promise<void> {
  const { res } = ctx;
  if (!partial) {
    res.socket?.destroy();
    return;
  }
  const payload = Buffer.from(JSON.stringify(body));
  ctx.record.status = 200;
  // The announced length is never reached: the client sees a truncated body.
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(payload.length), ...headers });
  await write(res, payload.subarray(0, Math.floor(payload.length / 2)));
  await drained(res);
  res.socket?.destroy();
}

export async function sendSse(
  ctx: WriteContext,
  plan: StreamPlan,
  pacingMs: number,
  headers: Record<string, string>,
): Promise<void> {
  const { res, record, signal } = ctx;
  if (res.headersSent || res.destroyed) return;
  record.status = 200;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...(ctx.gzip ? { 'content-encoding': 'gzip' } : {}),
    ...headers,
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  const closed = new Promise<void>((resolve) => res.once('close', resolve));
  const gz = ctx.gzip ? zlib.createGzip() : undefined;
  if (gz) {
    gz.pipe(res);
    gz.on('error', () => res.destroy());
    void closed.then(() => gz.destroy());
  }
  const emit = async (text: string) => {
    if (gz) {
      gz.write(text);
      await Promise.race([
        closed,
        new Promise<void>((resolve) => gz.flush(zlib.constants.Z_SYNC_FLUSH, () => resolve())),
      ]);
    } else {
      await Promise.race([closed, write(res, text)]);
    }
  };

  let contentSeen = false;
  for (let i = 0; i < plan.events.length; i++) {
    if (plan.disconnectAfter !== undefined && i >= plan.disconnectAfter) break;
    const event = plan.events[i]!;
    let wait = i > 0 ? pacingMs : 0;
    if (event.content && !contentSeen) {
      contentSeen = true;
      wait += plan.firstTokenDelayMs;
    }
    await sleep(wait, signal);
    if (signal.aborted || res.destroyed) return;
    await emit(formatSse(event));
    record.sentAt.push(Date.now());
    record.sentEvents.push(event.label);
  }
  if (signal.aborted || res.destroyed) return;
  if (plan.disconnectAfter !== undefined) {
    await drained(res);
    res.socket?.destroy();
    return;
  }
  if (gz) {
    await Promise.race([closed, new Promise<void>((resolve) => gz.end(resolve))]);
  } else {
    res.end();
  }
}

function write(res: ServerResponse, chunk: string | Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.once('close', resolve);
    res.write(chunk, () => {
      res.off('close', resolve);
      resolve();
    });
  });
}

/** Waits (bounded) until what was written has left for the kernel, so a destroy cuts after it. */
async function drained(res: ServerResponse): Promise<void> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  const socket = res.socket;
  if (!socket || socket.destroyed || socket.writableLength === 0) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, 200);
    function done() {
      clearTimeout(timer);
      socket?.off('drain', done);
      resolve();
    }
    socket.on('drain', done);
  });
}
