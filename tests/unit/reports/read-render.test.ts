/**
 * The report reader's tolerance, the text renderers and the CLI: torn lines and unknown events, Markdown
 * and terminal output from the same model, `--json`, `--export-prompts`, `--prices`, `--signatures`.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { LazyBlobs, readLineBuffers, readLinesWithOffsets } from '../../../src/log/read.js';
import { loadPriceTable } from '../../../src/pricing/index.js';
import { buildReport } from '../../../reports/model/build.js';
import { renderMarkdown } from '../../../reports/render/markdown/index.js';
import { renderTerminal } from '../../../reports/render/terminal/index.js';
import { ROOT, scratch } from '../../helpers/run.js';

const LOGS = join(ROOT, 'tests', 'fixtures', 'logs');
const BIN = join(ROOT, 'bin', 'agenttap.js');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, 'report', ...args], { encoding: 'utf8', timeout: 30_000 });

describe('reading', () => {
  test('a torn last line is skipped with a warning; an unknown event type is counted, not fatal', async () => {
    const warnings: string[] = [];
    const model = await buildReport(join(LOGS, 'torn'), { onWarning: (w) => warnings.push(w) });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/555\.ndjson:\d+: not a complete JSON line \(torn write\?\); skipped/);
    expect(model.session.warnings).toEqual(warnings);
    expect(model.session.unknownEvents).toEqual({ 'agent.note': 1 });
    expect(model.exchanges.map((r) => r.mechanism)).toEqual(['main-loop']);
  });

  test('lines come back with byte offsets that address them in the file (multi-byte text, lines across chunks)', async () => {
    const dir = scratch();
    const file = join(dir, 'x.ndjson');
    const lines = ['{"a":"é ✓"}', `{"b":"${'x'.repeat(3 << 20)}"}`, '{"c":1}'];
    writeFileSync(file, `${lines.join('\n')}\n`);
    const buf = readFileSync(file);
    const got = [];
    for await (const l of readLinesWithOffsets(file)) got.push(l);
    expect(got.map((l) => l.text)).toEqual(lines);
    for (const l of got) expect(buf.subarray(l.offset, l.offset + l.bytes).toString('utf8')).toBe(l.text);
  });

  test('lines as bytes: a line longer than the 4 MiB chunk, many across chunk ends, a torn last line', async () => {
    const dir = scratch();
    const file = join(dir, 'y.ndjson');
    // Lengths chosen so line ends fall on, just before and just after chunk boundaries.
    const lines = [
      `{"big":"${'b'.repeat(9 << 20)}"}`,
      ...Array.from({ length: 300 }, (_, i) => `{"i":${i},"p":"${'é'.repeat(7000 + i * 13)}"}`),
      '',
      '{"z":1}',
    ];
    writeFileSync(file, `${lines.join('\n')}\n{"torn":`);
    const buf = readFileSync(file);
    const got: { line: number; offset: number; text: string; complete: boolean }[] = [];
    for await (const l of readLineBuffers(file))
      got.push({ line: l.line, offset: l.offset, text: l.buf.toString('utf8', l.start, l.end), complete: l.complete });
    expect(got.map((l) => l.text)).toEqual([...lines, '{"torn":']);
    expect(got.map((l) => l.line)).toEqual(got.map((_, i) => i + 1));
    expect(got.map((l) => l.complete)).toEqual([...lines.map(() => true), false]);
    for (const l of got) expect(buf.toString('utf8', l.offset, l.offset + Buffer.byteLength(l.text))).toBe(l.text);
  });

  test('LazyBlobs reads a blob back from its offset after the cache let it go', async () => {
    const dir = scratch();
    const file = join(dir, 'b.ndjson');
    const events = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({ event: 'blob', hash: `h${i}`, content: { i, pad: 'p'.repeat(1000) } }),
    );
    writeFileSync(file, `${events.join('\n')}\n`);
    const blobs = new LazyBlobs(file, 4096);
    for await (const l of readLinesWithOffsets(file))
      blobs.add(JSON.parse(l.text).hash, l.offset, l.bytes, JSON.parse(l.text).content);
    expect((blobs.get('h3') as { i: number }).i).toBe(3);
    expect((blobs.get('h49') as { i: number }).i).toBe(49);
    expect(blobs.get('nope')).toBeUndefined();
    blobs.close();
  });
});

describe('renderers', () => {
  test('Markdown: a table per mechanism plus totals; captured text cannot become markup', async () => {
    const md = renderMarkdown(await buildReport(join(LOGS, 'claude-code-1.0')));
    expect(md).toMatch(
      /^\| mechanism \| calls \| input \| output \| cache read \| cache write \| cost \| p50 \/ p95 \| TTFT p50 \/ p95 \|$/m,
    );
    expect(md).toMatch(/^\| Main agent loop \| 6 \| /m);
    expect(md).toMatch(/^\| total \| 14 \| /m);
    expect(md).toContain('started by `Task` tool_use toolu\\_task1 in call #5');
    const hostile = renderMarkdown(await buildReport(join(LOGS, 'hostile')));
    expect(hostile).not.toMatch(/(^|[^\\])<(script|img|a|svg|b)\b/m);
    expect(hostile).toContain('hostile \\<b\\>session\\</b\\>');
  });

  test('terminal: aligned columns, no control characters from captured text', async () => {
    const model = await buildReport(join(LOGS, 'claude-code-1.0'));
    model.session.id = 'evil\u001b[2J\u0007id';
    const out = renderTerminal(model);
    expect(out).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    const lines = out.split('\n').filter((l) => /^(mechanism|Main agent loop|total) /.test(l));
    expect(new Set(lines.map((l) => l.length)).size).toBe(1);
  });
});

describe('pricing', () => {
  test('default table prices by model family; an unknown model has no price (never 0)', () => {
    const prices = loadPriceTable();
    expect(
      prices.cost('claude-sonnet-4-20250514', { input: 1e6, output: 1e6, cacheRead: 1e6, cacheWrite: 1e6 }),
    ).toBeCloseTo(3 + 15 + 0.3 + 3.75);
    expect(
      prices.cost('claude-3-5-haiku-20241022', { input: 1e6, output: 0, cacheRead: 0, cacheWrite: 0 }),
    ).toBeCloseTo(0.8);
    expect(prices.cost('my-model', { input: 1, output: 1, cacheRead: 0, cacheWrite: 0 })).toBeUndefined();
  });
});

describe('agenttap report (CLI)', () => {
  test('--md - prints Markdown; --json writes the model; --export-prompts writes the prompt parts', () => {
    const dir = scratch();
    const r = cli(
      join(LOGS, 'claude-code-1.0'),
      '--md',
      '-',
      '--json',
      join(dir, 'm.json'),
      '--export-prompts',
      join(dir, 'prompts'),
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^## agenttap report — cc10/);
    const model = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(model).toMatchObject({ format: 'agenttap.report', version: 1 });
    expect(model.exchanges).toHaveLength(14);
    const files = readdirSync(join(dir, 'prompts'));
    expect(files.filter((f) => f.startsWith('system-')).length).toBeGreaterThanOrEqual(7);
    expect(files.filter((f) => f.startsWith('tools-'))).toHaveLength(2);
    expect(files.filter((f) => f.startsWith('reminder-'))).toHaveLength(3);
    const block = files.find((f) =>
      readFileSync(join(dir, 'prompts', f), 'utf8').startsWith('You are an interactive CLI tool'),
    );
    expect(block).toBeDefined();
  });

  test("--prices overrides a model's price; a bad price file is refused with exit code 2", () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 'p.json'),
      JSON.stringify({ models: [{ match: '^claude-', input: 0, output: 0, cache_write: 0, cache_read: 0 }] }),
    );
    const r = cli(join(LOGS, 'claude-code-1.0'), '--json', '-', '--prices', join(dir, 'p.json'));
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).totals.cost).toBe(0);
    writeFileSync(join(dir, 'bad.json'), '{"models": [{"match": 1}]}');
    const bad = cli(join(LOGS, 'claude-code-1.0'), '--prices', join(dir, 'bad.json'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/bad\.json: not a price table/);
  });

  test('--signatures adds a user set: its signatures are tried first, the shipped ones still apply after', () => {
    const dir = scratch();
    writeFileSync(
      join(dir, 's.json'),
      JSON.stringify({
        sets: [
          {
            agent: 'claude-code',
            label: 'Claude Code, my labels',
            detect: { header: { name: 'user-agent', value: 'claude-cli/1.0.' } },
            signatures: [{ id: 'mine/quota', mechanism: 'ping', when: { maxTokens: 1 } }],
          },
        ],
      }),
    );
    const r = cli(join(LOGS, 'claude-code-1.0'), '--json', '-', '--signatures', join(dir, 's.json'));
    expect(r.status, r.stderr).toBe(0);
    const model = JSON.parse(r.stdout);
    expect(model.exchanges[0].mechanism).toBe('ping');
    expect(model.exchanges[0].signature).toBe('mine/quota');
    expect(model.exchanges[2].mechanism).toBe('main-loop');
  });

  test('a missing session is a usage error naming the path', () => {
    const r = cli('/nonexistent/session');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/session: no such session directory/);
  });
});
