/**
 * Invariant 1, end to end: with no rewrite the wire carries exactly the agent's bytes; the agent's stdout
 * is the same with and without the loader; and streaming is not delayed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
beforeAll(async () => (mock = await startMock()));
afterAll(() => mock.close());

const env = () => ({
  ANTHROPIC_BASE_URL: mock.url,
  ANTHROPIC_API_KEY: 'sk-ant-test',
  OPENAI_BASE_URL: `${mock.url}/v1`,
  OPENAI_API_KEY: 'sk-test',
});

describe('the agent cannot notice', () => {
  it('request bodies reach the API byte-identical to what the SDK produced', async () => {
    mock.reset();
    const out = join(scratch(), 'sent.ndjson');
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/wire-recorder.mjs'), {
      env: { ...env(), AGENT_OUT: out },
    });
    expect(run.code, run.stderr).toBe(0);
    const sent = readFileSync(out, 'utf8')
      .trim()
      .split('\n')
      .map((l) => Buffer.from(JSON.parse(l) as string, 'base64'));
    expect(sent.length).toBe(2); // a tool call, then the answer
    expect(mock.received.map((r) => r.rawBody)).toEqual(sent);
    // …and they were captured (the test would be empty if the tap had not run).
    expect(eventsOf(await sessionEvents(run.sessionDir), 'exchange.request').length).toBe(2);
  });

  it.each(['examples/anthropic-agent.mjs', 'examples/anthropic-agent.cjs', 'examples/openai-agent.mjs'])(
    '%s prints the same bytes with and without the loader',
    async (script) => {
      const plain = await runNode(join(ROOT, script), {
        loader: false,
        env: env(),
        args: ['What is in the examples folder?'],
      });
      const tapped = await runNode(join(ROOT, script), { env: env(), args: ['What is in the examples folder?'] });
      expect(plain.code, plain.stderr).toBe(0);
      expect(tapped.code, tapped.stderr).toBe(0);
      expect(plain.stdout).toMatch(/\[tool\] list_files|\[status\] 200/); // it did real work
      expect(tapped.stdout).toBe(plain.stdout);
      expect(tapped.stderr).toBe(plain.stderr);
      expect(eventsOf(await sessionEvents(tapped.sessionDir), 'exchange.end').length).toBeGreaterThanOrEqual(2);
    },
  );
});

describe('hand-written bodies reach the API byte for byte', () => {
  // No rule here matches the agent's bodies; the sentinel rule proves the rules were live in that run.
  const rulesFile = () => {
    const file = join(scratch(), 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        rules: [
          {
            id: 'never-matches',
            match: { model: 'no-such-model-*' },
            actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
          },
          {
            id: 'sentinel',
            match: { model: 'claude-sentinel-*' },
            actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }],
          },
        ],
      }),
    );
    return file;
  };

  it.each(['rules off', 'a rules file that matches nothing'])(
    '%s: odd spacing, key order, \\u escapes, number forms, CRLF, multibyte — via fetch and http',
    async (mode) => {
      mock.reset();
      const rules = mode !== 'rules off';
      const run = await runNode(join(ROOT, 'tests/fixtures/apps/odd-bodies.mjs'), {
        env: { MOCK_URL: mock.url, ...(rules ? { AGENTTAP_RULES: rulesFile(), SENTINEL: '1' } : {}) },
      });
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toBe('');
      const sent = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { way: string; status: number; bytes?: string });
      const agents = sent.filter((s) => s.bytes !== undefined);
      expect(agents.length).toBe(15);
      expect(sent.every((s) => s.status === 200)).toBe(true);
      // The oracle is the agent's own bytes against the mock's raw record of what arrived: no parsing on either side.
      agents.forEach((s, i) => {
        expect(mock.received[i]!.rawBody.toString('base64'), `${s.way} #${i}`).toBe(s.bytes);
      });

      const events = await sessionEvents(run.sessionDir);
      const layers = eventsOf(events, 'exchange.request').map((r) => r.layer);
      expect(layers.slice(0, 15)).toEqual(agents.map((s) => (s.way === 'http' ? 'http' : 'fetch'))); // the tap saw each
      if (rules) {
        // The rules ran: the sentinel request was rewritten on its way out, and only it.
        expect((mock.received[15]!.body as { model: string }).model).toBe('claude-haiku-4-5');
        expect(eventsOf(events, 'rewrite.applied').map((d) => d.rules.map((r) => r.rule))).toEqual([['sentinel']]);
      }
    },
  );
});

describe('streaming is not delayed', () => {
  let paced: MockServer;
  beforeAll(async () => (paced = await startMock({ pacingMs: 200, textChunks: 4 })));
  afterAll(() => paced.close());

  it.each([false, true])(
    'with the mock pacing deltas 200 ms apart, the first delta arrives before the second is sent (loader: %s)',
    async (loader) => {
      paced.reset();
      const run = await runNode(join(ROOT, 'tests/fixtures/apps/first-delta.mjs'), {
        loader,
        env: { ANTHROPIC_BASE_URL: paced.url, ANTHROPIC_API_KEY: 'sk-ant-test' },
      });
      expect(run.code, run.stderr).toBe(0);
      const { firstDeltaAt } = JSON.parse(run.stdout) as { firstDeltaAt: number };
      const [request] = paced.received;
      const deltas = request!.sentEvents.flatMap((label, i) =>
        label === 'content_block_delta' ? [request!.sentAt[i]!] : [],
      );
      expect(deltas.length).toBe(4);
      // The mock stamps an event after write() returns, so the client may see it a few ms "before" that stamp.
      expect(firstDeltaAt).toBeGreaterThanOrEqual(deltas[0]! - 20);
      // The claim: the first delta reached the agent before the mock even sent the second (200 ms later).
      expect(firstDeltaAt).toBeLessThan(deltas[1]!);
    },
  );
});

/**
 * What the tap adds to each chunk, end to end: the same agent streams the same paced answer with and without
 * the loader, both at once (so a loaded machine's bursts fall on both), and each event's delivery latency
 * (the agent's arrival stamp, performance.now() on the wall clock, minus the mock's send stamp) is compared
 * per event index: median over rounds within a run, then median over the pairs.
 */
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe('streaming adds no time per chunk', () => {
  const PAIRS = 3;
  const ROUNDS = 8;
  /**
   * The tap's own work per chunk (a pull-through stream, the SSE codec) is well under a millisecond, but on a
   * 2-core machine shared with other builds (load 16) the paired medians scatter by several ms. So: the
   * typical event (median over events) within TYPICAL_MS, every event within ANY_MS — a delay of 200 ms on
   * any chunk fails by far.
   */
  const TYPICAL_MS = 5;
  const ANY_MS = 50;
  let paced: MockServer;
  beforeAll(async () => (paced = await startMock({ pacingMs: 25, textChunks: 4 })));
  afterAll(() => paced.close());

  /** Per event index, the median over rounds of (arrival at the agent − sent by the mock), in ms. */
  async function latencies(loader: boolean): Promise<number[]> {
    const tag = loader ? 'tapped' : 'plain';
    const run = await runNode(join(ROOT, 'tests/fixtures/apps/paced-stream.mjs'), {
      loader,
      env: { ANTHROPIC_BASE_URL: paced.url, ANTHROPIC_API_KEY: 'sk-ant-test', ROUNDS: String(ROUNDS), RUN_TAG: tag },
    });
    expect(run.code, run.stderr).toBe(0);
    const { types, rounds } = JSON.parse(run.stdout) as { types: string[]; rounds: number[][] };
    const sent = paced.received.filter((r) => r.headers['x-run-tag'] === tag).slice(2); // after the warm-up rounds
    expect(sent.length).toBe(ROUNDS);
    // The SDK yields every SSE event but `ping`, in order: the send stamps of those, per round.
    const sentAt = sent.map((request) => request.sentAt.filter((_, i) => request.sentEvents[i] !== 'ping'));
    expect(sent[0]!.sentEvents.filter((label) => label !== 'ping')).toEqual(types);
    return types.map((_, i) => median(rounds.map((arrivals, r) => arrivals[i]! - sentAt[r]![i]!)));
  }

  it(`events reach the agent as they do without the loader: typically within ${TYPICAL_MS} ms, each within ${ANY_MS} ms (paired medians)`, async () => {
    const added: number[][] = [];
    for (let pair = 0; pair < PAIRS; pair++) {
      paced.reset();
      const [plain, tapped] = await Promise.all([latencies(false), latencies(true)]);
      added.push(tapped.map((t, i) => t - plain[i]!));
    }
    const perEvent = added[0]!.map((_, i) => median(added.map((a) => a[i]!)));
    console.log(`added ms per event (median of ${PAIRS} pairs): ${perEvent.map((ms) => ms.toFixed(1)).join(' ')}`);
    expect(median(perEvent), 'the typical event').toBeLessThan(TYPICAL_MS);
    for (const [i, ms] of perEvent.entries()) expect(ms, `event ${i}`).toBeLessThan(ANY_MS);
  }, 180_000);
});
