/**
 * Fault matrix (issue 16), upstream faults: what the model API does wrong — error statuses the SDK retries and
 * ones it does not, a connection reset mid-stream, malformed SSE, corrupt gzip — and what it does heavily: a 50 MB
 * stream, a slow one, 64 streams at once. Each case runs the same agent with and without the tap, per Node version.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startMock, type MockOptions } from '../../src/mock/index.js';
import { AGENT, expectUnnoticed, MATRIX, matrixNodes, runPair, type NodeBin, type RunSpec } from './helpers/pair.js';
import { startUpstream, type UpstreamKind } from './helpers/upstream.js';

const nodes = new Map<string, NodeBin>();
const bin = async (major: string) => {
  if (nodes.size === 0) for (const n of await matrixNodes()) nodes.set(n.label.split(' ')[1]!, n);
  return nodes.get(major)!.bin;
};

/** A pair against the project's mock, each side with its own. */
const onMock = (major: string, options: MockOptions, spec: Omit<RunSpec, 'node'>) =>
  runPair(async () => {
    const mock = await startMock(options);
    return {
      spec: { ...spec, node: await bin(major), env: { ANTHROPIC_BASE_URL: mock.url, ...spec.env } },
      close: () => mock.close(),
    };
  });

/** A pair against a hand-written upstream, for what the mock cannot script (malformed SSE, corrupt gzip, 50 MB). */
const onUpstream = (major: string, kind: UpstreamKind, spec: Omit<RunSpec, 'node'>) =>
  runPair(async () => {
    const upstream = await startUpstream(kind);
    return {
      spec: { ...spec, node: await bin(major), env: { ANTHROPIC_BASE_URL: upstream.url, ...spec.env } },
      close: () => upstream.close(),
    };
  });

describe.each(MATRIX)('upstream faults, node %s', { timeout: 180_000 }, (major) => {
  it.each([429, 529, 500])('HTTP %i, not retried (fetch) and retried once (SDK)', async (status) => {
    const fetched = await onMock(major, { faults: [{ kind: 'status', status }] }, { args: [AGENT, 'fetch'] });
    expect(fetched.plain.stdout).toContain(`call 1: ${status}`);
    await expectUnnoticed(fetched);
    const retried = await onMock(
      major,
      { faults: [{ kind: 'status', status, retryAfter: 0.05, on: [1] }] },
      { args: [AGENT, 'sdk'], env: { RETRIES: '2' } },
    );
    expect(retried.plain.stdout).toMatch(/^sdk 1: "/);
    await expectUnnoticed(retried);
  });

  it('connection reset mid-stream (fetch and SDK)', async () => {
    const faults: MockOptions['faults'] = [{ kind: 'disconnect', afterEvents: 4 }];
    const fetched = await onMock(major, { faults }, { args: [AGENT, 'fetch'] });
    expect(fetched.plain.stdout).toContain('body failed');
    await expectUnnoticed(fetched);
    const sdk = await onMock(major, { faults }, { args: [AGENT, 'sdk'] });
    await expectUnnoticed(sdk);
  });

  it('an error event inside a 200 stream, and an event type no client knows', async () => {
    const pair = await onMock(
      major,
      { faults: [{ kind: 'unknown-event' }, { kind: 'stream-error', afterEvents: 5 }] },
      { args: [AGENT, 'sdk'] },
    );
    await expectUnnoticed(pair);
  });

  it.each<UpstreamKind>(['malformed-sse', 'corrupt-gzip-json', 'corrupt-gzip-sse'])(
    '%s (raw fetch and SDK)',
    async (kind) => {
      await expectUnnoticed(await onUpstream(major, kind, { args: [AGENT, 'raw'] }));
      await expectUnnoticed(await onUpstream(major, kind, { args: [AGENT, 'sdk'] }));
    },
  );

  it('a 50 MB stream: same bytes, not slower, memory bounded by the capture cap, not by the stream', async () => {
    // The capture keeps at most AGENTTAP_MAX_BODY_BYTES of a reply, and holds a few copies of what it keeps on its way
    // to the log (reassembled text, the hand-off to the capture worker, redaction, serialisation): ~140-150 MB extra at
    // the default 16 MiB cap, fixed cost included (Node 22-24; 235-245 MB while the end record crossed as JSON text;
    // README, Known limits). agenttap's fixed cost (the writer's modules, the capture worker's isolate and its
    // pre-touched 8 MiB ring: up to 50 MB by Node version) is measured here on a small reply of the same agent. At a
    // 4 MiB cap, what the 50 MB stream adds beyond that fixed cost stays under 72 MB if memory is bounded by the cap — a
    // tee() or clone() would hold the whole 50 MB behind a slow branch on top of those copies
    // (docs/fetch-tap.md#no-tee-or-clone). Measured (this test, load 6-14 on 2 cores): 18-32 MB (Node 22) before the
    // capture worker's shared ring; 46-54 (Node 22) and 29-46 here, 85 on CI (Node 24) with the end record crossing as
    // JSON text; 26-46 (Node 22), 5-16 and once 63 (Node 24), 1-4 (Node 20) with a large response crossing as itself.
    // What is left: the agent's thread's young generation, grown to 32 MB by the capped text surviving its scavenges
    // as it streams (8 MB without agenttap), and the worker's copies of that text while it writes it at exit.
    const env = { AGENTTAP_MAX_BODY_BYTES: String(4 * 1024 * 1024) };
    const huge = await onUpstream(major, 'huge', { args: [AGENT, 'raw'], timeoutMs: 60_000, env });
    expect(huge.plain.stdout).toMatch(/ 5\d{7} bytes /);
    await expectUnnoticed(huge);
    // The small reply only measures the fixed cost (its raw digest holds the mock's random ids: not compared).
    const small = await onMock(major, {}, { args: [AGENT, 'raw'], env });
    expect([small.plain.code, small.tapped.code]).toEqual([0, 0]);
    // Peak RSS (KiB, written by the agent at exit).
    const rss = (home: string) => Number(readFileSync(join(home, 'maxrss'), 'utf8'));
    const extra = (pair: typeof huge) => rss(pair.tapped.home) - rss(pair.plain.home);
    expect(
      extra(huge) - extra(small),
      `extra peak RSS beyond the fixed cost, KiB (fixed: ${extra(small)})`,
    ).toBeLessThan(72 * 1024);
  });

  it('a slow stream (40 events 50 ms apart)', async () => {
    const pair = await onMock(major, { pacingMs: 50, textChunks: 36 }, { args: [AGENT, 'fetch'] });
    await expectUnnoticed(pair, { slackMs: 1500 });
  });

  it('64 concurrent SDK streams', async () => {
    const pair = await onMock(
      major,
      { pacingMs: 10, textChunks: 8 },
      { args: [AGENT, 'concurrent'], env: { CALLS: '64' }, timeoutMs: 60_000 },
    );
    expect(pair.plain.stdout.match(/^sdk \d+: "/gm)).toHaveLength(64);
    await expectUnnoticed(pair);
  });
});
