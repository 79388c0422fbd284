/** The arrival time of each SSE event (`chunk_ms`), which `agenttap replay` paces its streams by (issue 15). */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { MAX_CHUNK_TIMES, createResponseObserver } from '../../../src/exchange/observer.js';

const enc = (s: string) => new TextEncoder().encode(s);
const event = (type: string) => `event: ${type}\ndata: ${JSON.stringify({ type })}\n\n`;

describe('chunk timing', () => {
  it('keeps one gap per SSE event, in whole ms, measured as the bytes arrive', async () => {
    const o = createResponseObserver({ endpoint: 'anthropic.messages', contentType: 'text/event-stream', status: 200 });
    await sleep(40);
    o.write(enc(event('message_start')));
    await sleep(60);
    // Two events in one chunk: the second arrived with the first.
    o.write(enc(event('ping') + event('message_stop')));
    const s = o.finish();
    expect(s.events).toBe(3);
    const gaps = s.chunkMs ?? [];
    expect(gaps).toHaveLength(3);
    expect(gaps.every(Number.isInteger)).toBe(true);
    expect(gaps[0]).toBeGreaterThanOrEqual(39);
    expect(gaps[1]).toBeGreaterThanOrEqual(59);
    expect(gaps[1]).toBeLessThan(1000);
    expect(gaps[2]).toBe(0);
  });

  it('is capped: a longer stream keeps the first MAX_CHUNK_TIMES, and sse_events counts them all', () => {
    const o = createResponseObserver({ endpoint: 'custom', contentType: 'text/event-stream', status: 200 });
    const n = MAX_CHUNK_TIMES + 100;
    for (let i = 0; i < n; i++) o.write(enc(`data: ${i}\n\n`));
    const s = o.finish();
    expect(s.events).toBe(n);
    expect(s.chunkMs).toHaveLength(MAX_CHUNK_TIMES);
  });

  it('a plain JSON body has none', () => {
    const o = createResponseObserver({ endpoint: 'anthropic.messages', contentType: 'application/json', status: 200 });
    o.write(enc('{"type":"message","content":[]}'));
    expect(o.finish().chunkMs).toBeUndefined();
  });
});
