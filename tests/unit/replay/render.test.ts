/**
 * Replay's streams (issue 15): a provider stream reassembled by the observer (what the log records), rendered back
 * by replay, and reassembled again gives the same body, with as many events as the recorded stream had.
 */
import { describe, expect, it } from 'vitest';
import { createResponseObserver } from '../../../src/exchange/observer.js';
import type { Endpoint } from '../../../src/exchange/types.js';
import type { RecordedExchange } from '../../../src/replay/recording.js';
import { planResponse, relocate } from '../../../src/replay/render.js';
import { anthropicEvents, chatEvents, responsesEvents, sseBytes, type SseEvent } from '../exchange/helpers.js';

function observe(endpoint: Endpoint, bytes: Uint8Array) {
  const o = createResponseObserver({ endpoint, contentType: 'text/event-stream', status: 200 });
  o.write(bytes);
  return o.finish();
}

function recorded(endpoint: Endpoint, events: SseEvent[]): RecordedExchange {
  const s = observe(endpoint, sseBytes(events));
  return {
    id: 'x',
    n: 1,
    pid: 1,
    time: 0,
    endpoint,
    method: 'POST',
    path: '/',
    stream: true,
    requestHeaders: {},
    body: {},
    status: 200,
    end: { outcome: 'complete', body: s.body, sseEvents: s.events, chunkMs: s.chunkMs, durationMs: 1 },
  };
}

const CASES: [Endpoint, SseEvent[], unknown][] = [
  ['anthropic.messages', anthropicEvents(), {}],
  ['openai.chat', chatEvents(), { stream_options: { include_usage: true } }],
  ['openai.responses', responsesEvents(), {}],
];

describe('a recorded body rendered back into a stream', () => {
  it.each(CASES)('%s: reassembles into the recorded body', (endpoint, events, request) => {
    const r = recorded(endpoint, events);
    const plan = planResponse(r, { stream: true, body: request }, { speed: 1, timing: false });
    expect(plan.events).toBeDefined();
    const text = plan.events!.map((e) => e.text).join('');
    const again = observe(endpoint, new TextEncoder().encode(text));
    expect(again.parseError).toBeUndefined();
    expect(again.unknownEvents).toBeUndefined();
    expect(again.body).toEqual(r.end!.body);
    expect(plan.headers['content-type']).toMatch(/^text\/event-stream/);
  });

  it('an Anthropic stream has as many events as the recorded one, each paced by its recorded gap', () => {
    const r = recorded('anthropic.messages', anthropicEvents());
    r.end!.chunkMs = r.end!.body ? Array.from({ length: r.end!.sseEvents }, (_, i) => i * 10) : [];
    const plan = planResponse(r, { stream: true, body: {} }, { speed: 2, timing: true });
    expect(plan.events).toHaveLength(r.end!.sseEvents);
    expect(plan.events!.map((e) => e.afterMs)).toEqual(r.end!.chunkMs.map((ms) => ms / 2));
    expect(
      planResponse(r, { stream: true, body: {} }, { speed: 1, timing: false }).events!.every((e) => e.afterMs === 0),
    ).toBe(true);
  });

  it('a request without stream gets the recorded body as JSON', () => {
    const r = recorded('openai.chat', chatEvents());
    const plan = planResponse(r, { stream: false, body: {} }, { speed: 1, timing: true });
    expect(plan.events).toBeUndefined();
    expect(plan.json).toEqual(r.end!.body);
  });

  it("paths under the recorded run's working directory move to the live one (and Claude Code's project folder)", () => {
    const body = { input: { file_path: '/tmp/rec-1/notes/a.md' }, text: 'see ~/.claude/projects/-tmp-rec-1/x' };
    expect(relocate(body, '/tmp/rec-1', '/work/live')).toEqual({
      input: { file_path: '/work/live/notes/a.md' },
      text: 'see ~/.claude/projects/-work-live/x',
    });
  });
});
