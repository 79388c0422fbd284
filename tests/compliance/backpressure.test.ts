/**
 * docs/fetch-tap.md#no-tee-or-clone: a tap must not buffer a response ahead of a stalled agent. The server offers 100 MB of SSE;
 * the agent reads one chunk and stalls. Under the loader its memory stays flat; the tee() control shows
 * what the measurement catches when a tap buffers.
 */
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, runNode } from '../helpers/run.js';

const TOTAL = 100 * 2 ** 20;
let server: Server;
let url: string;
beforeAll(async () => {
  const line = Buffer.from(
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"${'x'.repeat(4000)}"}}\n\n`,
  );
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const pump = () => {
      while (sent < TOTAL && !res.destroyed) {
        sent += line.length;
        if (!res.write(line)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (sent = TOTAL));
    pump();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((r) => server.close(() => r()));
});

async function growth(loader: boolean, mode = '', stallMs = 3000): Promise<number> {
  const run = await runNode(join(ROOT, 'tests/fixtures/apps/stalled-reader.mjs'), {
    loader,
    env: { MOCK_URL: url, MODE: mode, STALL_MS: String(stallMs) },
  });
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout).growthMB as number;
}

describe('backpressure', () => {
  it('a stalled agent under the loader does not make the tap buffer the stream', async () => {
    // The control stalls until it has shown buffering (≤ 10 s): on a loaded machine 100 MB arrive slowly.
    const control = await growth(false, 'tee', 10_000);
    const tapped = await growth(true);
    expect(control).toBeGreaterThan(50); // the measurement sees a buffering tap
    expect(tapped).toBeLessThan(20);
  });
});
