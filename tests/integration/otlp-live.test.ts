/**
 * Live OTLP export (issue 14) from a real SDK agent under the real loader, against the mock API and the test
 * receiver on 127.0.0.1:
 *   - the receiver gets the spans `agenttap export otlp` sends of the same session, ids included (http/json and
 *     http/protobuf, each decoded by the receiver from the official .proto definitions);
 *   - with the collector down, answering 500 or never answering, the agent's stdout is byte for byte the one of a
 *     run without export, its exit waits at most `exitWait`, and the spans it lost are counted in `session.end`.
 */
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OtlpProtocol } from '../../src/export/settings.js';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { type ReceivedSpan, type ReceiverMode, startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { eventsOf, ROOT, runNode, scratch, sessionEvents, spawnBounded, type RunResult } from '../helpers/run.js';

const AGENT = join(ROOT, 'tests/fixtures/apps/long-session.mjs');
const TURNS = 4; // three tool round-trips, then the answer: 4 inference, 3 tool and 1 agent span

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    script: Array.from({ length: TURNS - 1 }, (_, i) => ({ toolUse: { name: 'read_file', input: { path: `m${i}` } } })),
  });
});
afterAll(() => mock.close());

function configFile(otlp: Record<string, unknown>): string {
  const file = join(scratch('agenttap-otlp-'), 'agenttap.config.json');
  writeFileSync(file, JSON.stringify({ export: { otlp } }));
  return file;
}

async function runAgent(config?: string): Promise<RunResult & { ms: number }> {
  mock.reset();
  const started = performance.now();
  const run = await runNode(AGENT, {
    timeoutMs: 30_000,
    env: {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'sk-ant-test',
      TURNS: String(TURNS),
      ...(config ? { AGENTTAP_CONFIG: config } : {}),
    },
  });
  return { ...run, ms: performance.now() - started };
}

/** The last version of each span the receiver got (a span sent again keeps its id), without arrival order. */
function byId(spans: readonly ReceivedSpan[]): Map<string, ReceivedSpan> {
  return new Map(spans.map((s) => [s.spanId, s]));
}

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('live OTLP export from an SDK agent', () => {
  it.each<OtlpProtocol>(['http/json', 'http/protobuf'])(
    'sends the spans the offline export makes of the same session, ids included (%s)',
    async (protocol) => {
      const live = await startOtlpReceiver();
      const offline = await startOtlpReceiver();
      try {
        const run = await runAgent(configFile({ endpoint: live.url, protocol, interval: 200, exitWait: 10_000 }));
        expect(run.code, run.stderr).toBe(0);
        expect(run.stderr).toBe('');
        expect(live.requests.every((r) => r.protocol === (protocol === 'http/json' ? 'json' : 'protobuf'))).toBe(true);

        const cli = await spawnBounded(
          process.execPath,
          [
            join(ROOT, 'bin/agenttap.js'),
            'export',
            'otlp',
            run.sessionDir,
            '--endpoint',
            offline.url,
            '--protocol',
            protocol,
          ],
          { env: { PATH: process.env.PATH }, timeoutMs: 30_000 },
        );
        expect(cli.code, cli.stderr).toBe(0);
        const want = byId(offline.spans());
        expect(want.size).toBe(TURNS + (TURNS - 1) + 1);
        expect(byId(live.spans())).toEqual(want);

        const [end] = eventsOf(await sessionEvents(run.sessionDir), 'session.end');
        expect(end).toMatchObject({ otlp_dropped: 0 });
        expect(end!.otlp_exported).toBe(live.spans().length);
      } finally {
        await live.close();
        await offline.close();
      }
    },
  );

  it('sends exchange and answered tool spans while the agent is still running', async () => {
    const live = await startOtlpReceiver();
    try {
      let exited = false;
      mock.reset();
      const running = runNode(join(ROOT, 'tests/fixtures/apps/paced-calls.mjs'), {
        timeoutMs: 60_000,
        env: {
          ANTHROPIC_BASE_URL: mock.url,
          ANTHROPIC_API_KEY: 'sk-ant-test',
          CALLS: String(TURNS),
          PAUSE_MS: '2500',
          AGENTTAP_CONFIG: configFile({ endpoint: live.url, interval: 200 }),
        },
      }).finally(() => {
        exited = true;
      });
      const op = (s: ReceivedSpan) => s.attributes['gen_ai.operation.name'];
      const deadline = performance.now() + 50_000;
      while (!live.spans().some((s) => op(s) === 'execute_tool') && !exited && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      // Before the agent's last call, not in its exit's flush.
      expect(exited).toBe(false);
      expect(mock.received.length).toBeLessThan(TURNS);
      expect(live.spans().some((s) => op(s) === 'chat')).toBe(true);
      const tool = live.spans().find((s) => op(s) === 'execute_tool');
      expect(tool?.attributes['agenttap.tool.answered']).toBe(true);
      const run = await running;
      expect(run.code, run.stderr).toBe(0);
    } finally {
      await live.close();
    }
  });

  type Collector = { url: string; close(): Promise<void> };
  const faults: (readonly [string, () => Promise<Collector>])[] = [
    ['down', async () => ({ url: `http://127.0.0.1:${await deadPort()}`, close: async () => {} })],
    ...(['fail', 'hang'] as ReceiverMode[]).map(
      (mode) => [mode === 'fail' ? 'answering 500' : 'hanging', () => startOtlpReceiver({ mode })] as const,
    ),
  ];

  it.each(faults)('a collector %s costs the agent nothing but the bounded exit wait', async (_name, start) => {
    const collector = await start();
    const exitWait = 1000;
    try {
      const off = await runAgent();
      // A request timeout far above the exit wait: an exit that waited for it would take 20 s more.
      const on = await runAgent(configFile({ endpoint: collector.url, interval: 200, exitWait, timeout: 20_000 }));
      expect(on.code).toBe(0);
      expect(on.stdout).toBe(off.stdout);
      // At most one line on stderr, naming the collector.
      expect(on.stderr.trim().split('\n').length).toBeLessThanOrEqual(1);
      // The exit waits at most `exitWait`; the rest is the noise of two runs on a shared machine, which grows with
      // its load (CI under load saw > 2.5 s), so it is bounded by the agent's own run time, far below 20 s.
      expect(on.ms - off.ms).toBeLessThan(exitWait + Math.max(2500, off.ms));

      const [end] = eventsOf(await sessionEvents(on.sessionDir), 'session.end');
      expect(end!.otlp_exported).toBe(0);
      // Every exchange's span at least: none reached a collector.
      expect(end!.otlp_dropped).toBeGreaterThanOrEqual(TURNS);
    } finally {
      await collector.close();
    }
  });
});
