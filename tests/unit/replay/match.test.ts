/**
 * Replay's matching (issue 15): per mechanism (a title call and a main-loop call sharing one user message never
 * collide), in recorded order for equal requests, the live secret against the recorded tag, normalised parts
 * (dates, session ids, the working directory, cache markers) said, and a miss with its nearest and a word diff.
 */
import { describe, expect, it } from 'vitest';
import { createRedactor } from '../../../src/policy/redact/index.js';
import { type LiveRequest, Matcher } from '../../../src/replay/match.js';
import { describeMiss } from '../../../src/replay/miss-report.js';
import { Normaliser, SHIPPED } from '../../../src/replay/normalise.js';
import type { RecordedExchange } from '../../../src/replay/recording.js';

const redactor = createRedactor({ key: Buffer.alloc(32, 7) });
const SECRET = `ghp_${'A1b2C3d4E5'.repeat(3)}abcdef`;
const CC = { 'user-agent': 'claude-cli/2.1.112 (external, sdk-cli)' };
const TOOLS = [{ name: 'Read', description: 'read', input_schema: { type: 'object' } }];

const main = (text: string, cwd: string, date = '2026-12-02') => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 32000,
  system: [
    { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
    { type: 'text', text: `Working directory: ${cwd}\nToday's date is ${date}.`, cache_control: { type: 'ephemeral' } },
  ],
  tools: TOOLS,
  metadata: { user_id: `{"session_id":"${cwd.slice(-6)}"}` },
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});
const title = (text: string) => ({
  model: 'claude-haiku-4-5',
  max_tokens: 32000,
  system: [{ type: 'text', text: 'Generate a concise, sentence-case title (3-7 words) for this coding session.' }],
  tools: [],
  messages: [{ role: 'user', content: [{ type: 'text', text }] }],
});

let seq = 0;
function rec(body: unknown, cwd: string, answer: string): RecordedExchange {
  seq++;
  return {
    id: `e${seq}`,
    n: seq,
    pid: 1,
    time: seq,
    endpoint: 'anthropic.messages',
    method: 'POST',
    path: '/v1/messages',
    stream: true,
    requestHeaders: CC,
    body: redactor.value(body),
    cwd,
    status: 200,
    end: { outcome: 'complete', body: { answer }, sseEvents: 0, durationMs: 1 },
  };
}
const live = (body: unknown): LiveRequest => ({
  method: 'POST',
  path: '/v1/messages',
  endpoint: 'anthropic.messages',
  headers: CC,
  body,
});

const PROMPT = `Fix the login bug, token ${SECRET}`;

function setup() {
  seq = 0;
  const recorded = [
    rec(title(PROMPT), '/tmp/rec-aaaaaa', 'title'),
    rec(main(PROMPT, '/tmp/rec-aaaaaa'), '/tmp/rec-aaaaaa', 'main 1'),
    rec(main(PROMPT, '/tmp/rec-aaaaaa'), '/tmp/rec-aaaaaa', 'main again'),
  ];
  return new Matcher(recorded, new Normaliser(SHIPPED), redactor, '/home/me/live-bbbbbb');
}

describe('replay matching', () => {
  it('tells a title call from a main-loop call that shares its user message, and serves equal requests in order', () => {
    const m = setup();
    const a = m.match(live(main(PROMPT, '/home/me/live-bbbbbb', '2027-01-05')));
    const t = m.match(live(title(PROMPT)));
    const b = m.match(live(main(PROMPT, '/home/me/live-bbbbbb', '2027-01-05')));
    expect([a, t, b].map((x) => (x.kind === 'hit' ? x.recorded.end?.body : x.kind))).toEqual([
      { answer: 'main 1' },
      { answer: 'title' },
      { answer: 'main again' },
    ]);
    expect(t.kind === 'hit' && t.live.mechanism).toBe('claude-code.session-title');
    expect(a.kind === 'hit' && a.live.mechanism).not.toBe('claude-code.session-title');
  });

  it('the live secret matches its recorded tag; what normalisation hid is named', () => {
    const m = setup();
    const hit = m.match(live(main(PROMPT, '/home/me/live-bbbbbb', '2027-01-05')));
    expect(hit.kind).toBe('hit');
    if (hit.kind !== 'hit') return;
    expect(hit.normalisedBy).toEqual(
      expect.arrayContaining(['working directory', 'date', 'cache markers', 'session and device ids']),
    );
    // The exact request (same folder, same date): no normalisation needed.
    const m2 = new Matcher(m.recorded, new Normaliser(SHIPPED), redactor, '/tmp/rec-aaaaaa');
    const exact = m2.match(live(title(PROMPT)));
    expect(exact.kind === 'hit' && exact.normalisedBy).toEqual([]);
  });

  it('a changed word is a miss: nearest recorded request, and a diff naming the word', () => {
    const m = setup();
    const miss = m.match(live(main(PROMPT.replace('login', 'signup'), '/home/me/live-bbbbbb')));
    expect(miss.kind).toBe('miss');
    if (miss.kind !== 'miss') return;
    expect(miss.nearest?.recorded.n).toBe(2);
    const text = describeMiss(miss, 4, 'POST /v1/messages');
    expect(text.fields).toEqual([
      expect.stringMatching(/^messages\[0\]\.content\[0\]\.text: .*\[-login-\]\{\+signup\+\}/),
    ]);
    expect(text.full).toContain('--- recorded request 2');
    expect(text.full).not.toContain(SECRET);
  });

  it('asked more often than recorded: the last one again, flagged', () => {
    const m = setup();
    m.match(live(title(PROMPT)));
    const again = m.match(live(title(PROMPT)));
    expect(again.kind === 'hit' && again.again).toBe(true);
  });
});
