import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readExpanded } from '../../../src/log/read.js';

function session(lines: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'agenttap-read-'));
  writeFileSync(join(dir, '100.ndjson'), lines.join('\n'));
  return dir;
}

async function readAll(dir: string) {
  const warnings: string[] = [];
  const events = [];
  for await (const { event } of readExpanded(dir, { onWarning: (w) => warnings.push(w) })) events.push(event);
  return { events, warnings };
}

describe('reading a session', () => {
  it('skips a torn last line with a warning naming file and line, and keeps unknown events', async () => {
    const dir = session([
      JSON.stringify({ event: 'blob', hash: 'h1', content: { role: 'user', content: 'hi' } }),
      JSON.stringify({ event: 'blob', hash: 'l1', content: { prefix: null, items: [{ $blob: 'h1' }] } }),
      JSON.stringify({ event: 'exchange.request', exchange: 'x', body: { messages: { $list: 'l1' } } }),
      JSON.stringify({ event: 'from.the.future', payload: 1 }),
      '{"event":"exchange.end","exchange":"x","outc',
    ]);
    const { events, warnings } = await readAll(dir);
    expect(events).toEqual([
      { event: 'exchange.request', exchange: 'x', body: { messages: [{ role: 'user', content: 'hi' }] } },
      { event: 'from.the.future', payload: 1 },
    ]);
    expect(warnings).toEqual([`${join(dir, '100.ndjson')}:5: not a complete JSON line (torn write?); skipped`]);
  });

  it('names a damaged log (a reference to a blob never written)', async () => {
    const dir = session([
      JSON.stringify({ event: 'exchange.request', exchange: 'x', body: { system: { $blob: 'missing' } } }),
    ]);
    await expect(readAll(dir)).rejects.toThrow(/100\.ndjson:1: blob missing is referenced but never written/);
  });
});
