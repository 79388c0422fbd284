/**
 * A log that lacks things (issue 16): blobs referenced but never written (a system prompt, a message, a
 * whole `$list`, the tools) and events without their numbers (no time/mono, no TTFB, no duration, no
 * status). The report reads it with one warning, shows "missing content" where the content was, and
 * its Markdown, terminal and JSON output hold no NaN, null or "undefined" where a number or text was.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { buildReport } from '../../../reports/model/build.js';
import { renderMarkdown } from '../../../reports/render/markdown/index.js';
import { renderTerminal } from '../../../reports/render/terminal/index.js';
import { scratch } from '../../helpers/run.js';

function damagedLog(): string {
  const dir = scratch('agenttap-missing-');
  const base = { level: 30, v: 1, session: 'damaged', pid: 31, ppid: 1 };
  const ev = (event: string, body: Record<string, unknown>, t?: number) =>
    JSON.stringify({ ...base, ...(t === undefined ? {} : { time: 1751364000000 + t, mono: t }), event, ...body });
  const req = (exchange: string, body: Record<string, unknown>, t?: number) =>
    ev(
      'exchange.request',
      {
        exchange,
        layer: 'fetch',
        endpoint: 'anthropic.messages',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-haiku-4-5',
        'http.request.method': 'POST',
        'url.full': 'https://api.anthropic.com/v1/messages',
        stream: true,
        headers: {},
        body,
      },
      t,
    );
  const end = (exchange: string, extra: Record<string, unknown>, t?: number) =>
    ev(
      'exchange.end',
      {
        exchange,
        outcome: 'complete',
        usage: { input_tokens: 10, output_tokens: 2 },
        body: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        ...extra,
      },
      t,
    );
  writeFileSync(
    join(dir, '31.ndjson'),
    [
      ev('session.start', { argv: ['node', 'agent.mjs'] }, 0),
      // A system prompt, one message and the tools by reference, none of them written.
      req(
        'a',
        {
          model: 'claude-haiku-4-5',
          max_tokens: 64,
          system: { $blob: 'sys-never-written' },
          tools: { $blob: 'tools-never-written' },
          messages: [{ $blob: 'msg-never-written' }, { role: 'user', content: 'second' }],
        },
        10,
      ),
      ev('exchange.response', { exchange: 'a', headers: {} }, 20),
      end('a', { duration_ms: 50 }, 60),
      // A whole message list by reference, never written; the events carry no clock and no numbers.
      req('b', { model: 'claude-haiku-4-5', max_tokens: 64, messages: { $list: 'list-never-written' } }),
      ev('exchange.response', { exchange: 'b', headers: {}, ttfb_ms: 'soon' }),
      end('b', {}),
    ].join('\n'),
  );
  return dir;
}

test('missing blobs are shown as missing content, missing numbers as no number: never NaN, null or undefined', async () => {
  const warnings: string[] = [];
  const model = await buildReport(damagedLog(), { onWarning: (w) => warnings.push(w) });
  expect(warnings).toEqual([
    expect.stringMatching(/31\.ndjson: 4 blob\(s\) referenced but never written .*"missing content"/),
  ]);
  expect(model.exchanges).toHaveLength(2);
  const [a, b] = model.exchanges;
  expect(a!.duration).toBe(50);
  expect(b!.ttfb).toBeUndefined();
  expect(b!.duration).toBeUndefined();
  expect(b!.status).toBeUndefined();
  for (const r of model.exchanges) expect(Number.isFinite(r.start), `start of ${r.id}`).toBe(true);
  expect(model.anatomy.systems[0]!.blocks[0]!.preview).toContain('missing content — blob sys-never-written');
  expect(model.anatomy.toolsets[0]!.tools[0]!.name).toContain('missing content — blob tools-never-written');

  const json = JSON.stringify(model);
  const md = renderMarkdown(model);
  const term = renderTerminal(model);
  for (const [name, text] of [
    ['json', json],
    ['markdown', md],
    ['terminal', term],
  ] as const) {
    expect(text, name).not.toMatch(/NaN|undefined|Infinity/);
  }
  // JSON turns NaN into null: no number field of a row may be null.
  expect(json).not.toMatch(/"(start|duration|ttfb|ttft|status|input|output|cacheRead|cacheWrite|cost)":null/);
});
