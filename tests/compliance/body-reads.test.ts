/**
 * Node's own fetch Response is handed back to the agent as it is, its body observed where it is read
 * (src/tap/body-in-place.ts, docs/fetch-tap.md#in-place). Every way of reading a body (tests/fixtures/apps/body-reads.mjs)
 * must give the agent the same thing with and without the loader, and the record must hold the whole response,
 * told once (a tee or a clone read twice must not double it), on each Node major whose fetch reads bodies its own way.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMock, type MockServer } from '../../src/mock/index.js';
import { eventsOf, ROOT, runNode, sessionEvents } from '../helpers/run.js';

let mock: MockServer;
let pacedMock: MockServer;
beforeAll(async () => {
  mock = await startMock({ textChunks: 6 });
  pacedMock = await startMock({ pacingMs: 50, textChunks: 6 });
});
afterAll(async () => {
  await mock.close();
  await pacedMock.close();
});

const app = join(ROOT, 'tests/fixtures/apps/body-reads.mjs');
const CANCELLED = ['cancelBody', 'cancelReader', 'breakLoop'];
// Fetch cancels an unread body with the abort's reason; a cancel with an AbortError is told as an abort.
const ABORTED = ['abortUnread', 'abortBetweenReads', 'cancelAsAbort'];

async function nodeBin(major: string): Promise<string> {
  if (major === process.versions.node.split('.')[0]) return process.execPath;
  const { ensureNode } = (await import('../../bench/lib/node-bin.mjs' as string)) as {
    ensureNode(major: number): string;
  };
  return ensureNode(Number(major));
}

describe.each(['20', '22', '24', '26'])('reading a body every way, node %s', (major) => {
  it('the agent gets the same as without the loader, and each record holds its whole response once', async () => {
    const node = await nodeBin(major);
    const run = async (loader: boolean) => {
      const result = await runNode(app, {
        loader,
        node,
        env: { MOCK_URL: mock.url, PACED_URL: pacedMock.url },
        timeoutMs: 60_000,
      });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      return result;
    };
    const plain = await run(false);
    const tapped = await run(true);
    expect(tapped.stdout).toBe(plain.stdout);

    const lines = plain.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; events?: string[]; [k: string]: unknown });
    const byName = Object.fromEntries(lines.map((l) => [l.name, l]));
    // The cases really happened (else identical output would prove nothing).
    const full = byName.text!.events!;
    expect(full[0]).toBe('event: message_start');
    expect(full.at(-1)).toBe('event: message_stop');
    for (const l of lines) if (Array.isArray(l.events)) expect(l.events, l.name).toEqual(full);
    expect(byName.json!.stop).toBe('end_turn');
    expect(byName.tee!.same).toBe(true);
    expect(byName.clone!.same).toBe(true);
    expect(byName.releaseAndRead!.afterRelease).toBe('TypeError');
    expect(byName.lockedCancel!.refused).toBe('TypeError');
    expect(byName.abortUnread!.after).toBe('AbortError');
    expect(byName.abortBetweenReads!.after).toBe('AbortError');

    const events = await sessionEvents(tapped.sessionDir);
    const requests = eventsOf(events, 'exchange.request');
    const ends = new Map(eventsOf(events, 'exchange.end').map((e) => [e.exchange, e]));
    expect(requests.length).toBe(lines.length);
    expect(eventsOf(events, 'exchange.end').length).toBe(lines.length);
    const reference = ends.get(requests[0]!.exchange)!;
    const text = (body: unknown) => JSON.stringify((body as { content?: unknown }).content);
    requests.forEach((r, i) => {
      const name = lines[i]!.name;
      const end = ends.get(r.exchange)!;
      expect(end.parse_error, name).toBeUndefined();
      if (ABORTED.includes(name)) {
        expect(end.outcome, name).toBe('aborted');
        return;
      }
      if (CANCELLED.includes(name)) {
        expect(end.outcome, name).toBe('cancelled');
        return;
      }
      expect(end.outcome, name).toBe('complete');
      expect((end.body as { type?: string }).type, name).toBe('message');
      // Each event told once: the same content as the plain text() read, not doubled by a second branch.
      expect(text(end.body), name).toBe(text(reference.body));
      if (name !== 'json') expect(end.bytes, name).toBe(reference.bytes);
    });
  }, 120_000);
});
