/**
 * Blob lines read by their head (reports/read/scan.ts): a message's key from its bytes equals messageKey of the parsed
 * message; a facts view (long strings cut) gives the same reminders, block types and first words as the message; a
 * report read that way equals one read by parsing every line; and the reader does not parse what no view needs.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { isToolResults, remindersOf, roleOf, userText } from '../../../src/exchange/body.js';
import { messageKey } from '../../../src/exchange/cache-markers.js';
import { contentHash } from '../../../src/exchange/hash.js';
import { openSink } from '../../../src/log/sink.js';
import { buildReport } from '../../../reports/model/build.js';
import { truncateDeep } from '../../../reports/read/cut.js';
import { blobHead, cutJson, factsView, rawMessageKey, scanMessage } from '../../../reports/read/scan.js';
import { HtmlDetail } from '../../../reports/render/html/detail.js';
import { generateSession } from '../../../bench/report-generate.mjs';
import { LogWriter, reminder, reply, text, toolResult, toolUse } from '../../fixtures/logs/log-writer.mjs';
import { ROOT, scratch } from '../../helpers/run.js';

/** A blob line as the sink writes it. */
const blobLine = (content: unknown, session = 'sess-1') =>
  Buffer.from(
    JSON.stringify({
      level: 30,
      time: 1751364000500,
      v: 1,
      session,
      pid: 42,
      ppid: 1,
      event: 'blob',
      mono: 512.25,
      hash: '0123456789abcdef0123456789abcdef',
      content,
    }),
  );

const keyOf = (content: unknown) => {
  const line = blobLine(content);
  const head = blobHead(line, 0, line.length);
  expect(head).toBeDefined();
  return rawMessageKey(line, head!.start, head!.end);
};

const viewOf = (content: unknown) => {
  const line = blobLine(content);
  const head = blobHead(line, 0, line.length)!;
  return factsView(line, head.start, head.end);
};

const big = (n: number, seed = 'x') => Array.from({ length: n }, (_, i) => `${seed}${i}: line of text`).join('\n');

function* fixtureLogs(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* fixtureLogs(p);
    else if (name.endsWith('.ndjson')) yield p;
  }
}

describe('a message key from the bytes', () => {
  test('equals messageKey of the parsed message, for every message blob of the fixtures', () => {
    let checked = 0;
    for (const file of fixtureLogs(join(ROOT, 'tests', 'fixtures', 'logs'))) {
      for (const text of readFileSync(file, 'utf8').split('\n')) {
        const line = Buffer.from(text);
        const head = blobHead(line, 0, line.length);
        if (!head || line[head.start] !== 123) continue;
        const content = JSON.parse(line.subarray(head.start, head.end).toString('utf8'));
        const key = rawMessageKey(line, head.start, head.end);
        if (key === undefined) expect(JSON.stringify(content)).toContain('"cache_control":');
        else expect(key, `${file}: ${text.slice(0, 200)}`).toBe(messageKey(content));
        // The same with the blob's own hash to take when the bytes need no change (what the reader does).
        expect(rawMessageKey(line, head.start, head.end, head.hash)).toBe(key);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  test.each([
    ['string content at the top', { role: 'user', content: `hello ${'w'.repeat(300)}` }],
    ['string content nested in a tool result', { role: 'user', content: [toolResult('t1', big(40))] }],
    [
      'escaped quotes and backslashes before quotes',
      { role: 'user', content: [toolResult('t1', `say \\"hi\\" \\\\" ${'q"'.repeat(200)} \\`)] },
    ],
    [
      'a key that ends in "content" inside a string, and a "content" string value',
      { role: 'assistant', content: [toolUse('t2', 'Write', { 'a"content': 'x', path: 'content', content: big(20) })] },
    ],
    ['non-ASCII and escapes', { role: 'user', content: [text(`é ✓ 😀 \u0001 \t\r\n ${'ü'.repeat(300)}`)] }],
    ['content as blocks', { role: 'user', content: [text(big(30)), text('second')] }],
  ])('%s', (_name, message) => {
    expect(keyOf(message)).toBe(messageKey(message));
  });

  test("the blob's own hash is the key when no one-block content needs writing as its text: no second hash", () => {
    const plain = { role: 'user', content: [toolResult('t1', big(40))] };
    const line = blobLine(plain);
    const head = blobHead(line, 0, line.length)!;
    // The head's hash is taken as it is (here a made-up one): the bytes were not hashed.
    expect(scanMessage(line, head.start, head.end, false, head.hash)?.key).toBe('0123456789abcdef0123456789abcdef');
    expect(contentHash(JSON.stringify(plain))).toBe(messageKey(plain));
    // One text block, top level or in a tool result: the key is over its string form, whatever the head says.
    for (const blocks of [
      { role: 'user', content: [text(big(40))] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1', content: [text(big(40))] }] },
    ]) {
      const l = blobLine(blocks);
      const h = blobHead(l, 0, l.length)!;
      const key = scanMessage(l, h.start, h.end, false, h.hash)?.key;
      expect(key).toBe(messageKey(blocks));
      expect(key).not.toBe(contentHash(JSON.stringify(blocks)));
    }
    // Not a hash of ours (another length): hashed.
    const other = Buffer.from(line.toString().replace('0123456789abcdef0123456789abcdef', 'abc'));
    const o = blobHead(other, 0, other.length)!;
    expect(scanMessage(other, o.start, o.end, false, o.hash)?.key).toBe(messageKey(plain));
  });

  test("the sink's own blob lines have the shape read by their head (a change to its fields must show here)", () => {
    const dir = scratch();
    const sink = openSink({ sessionDir: dir, session: 'a-session', onFailure: () => {} });
    const content = { role: 'user', content: [toolResult('t1', big(50))] };
    sink.write('blob', { hash: '0123456789abcdef0123456789abcdef', content });
    sink.flushSync();
    const line = Buffer.from(readFileSync(sink.file, 'utf8').trim());
    const head = blobHead(line, 0, line.length);
    expect(head).toMatchObject({ hash: '0123456789abcdef0123456789abcdef', v: 1 });
    expect(rawMessageKey(line, head!.start, head!.end)).toBe(messageKey(content));
  });

  test('a message with cache markers has no key from its bytes (the caller parses it)', () => {
    const m = { role: 'user', content: [{ ...text(big(30)), cache_control: { type: 'ephemeral' } }] };
    expect(keyOf(m)).toBeUndefined();
  });

  test('a line not of the sink shape is not read by its head', () => {
    const spaced = Buffer.from(
      blobLine({ role: 'user', content: big(30) })
        .toString()
        .replace('"v":1,', '"v": 1,'),
    );
    expect(blobHead(spaced, 0, spaced.length)).toBeUndefined();
    const torn = blobLine({ role: 'user', content: big(30) }).subarray(0, 400);
    expect(blobHead(torn, 0, torn.length)).toBeUndefined();
    const escapedSession = blobLine({ role: 'user', content: big(30) }, 'a"b');
    expect(blobHead(escapedSession, 0, escapedSession.length)).toBeUndefined();
  });
});

describe('a facts view of a long message', () => {
  const LONG = big(3000);
  test.each([
    [
      'a tool output with a reminder appended',
      [toolResult('t', `${LONG}\n\n<system-reminder>\nMalware check.\n</system-reminder>\n`)],
    ],
    ['a reminder after spaces and a tab', [toolResult('t', `${LONG}\n \t<system-reminder>\nA.\n</system-reminder>`)]],
    ['a tag in prose, not a reminder', [toolResult('t', `${LONG} see <system-reminder> here\nmore ${LONG}`)]],
    ['an escaped backslash, then n', [toolResult('t', `${LONG}\\n<system-reminder>\nB.\n</system-reminder>`)]],
    ['a reminder near the start', [toolResult('t', `x\n<system-reminder>\nC.\n</system-reminder>\n${LONG}`)]],
    ['a long user text and a reminder block', [reminder('D.'), text(`  ${LONG}`)]],
    [
      'two reminders after a long output',
      [toolResult('t', `${LONG}\n<system-reminder>E</system-reminder>\n<system-reminder>F</system-reminder>`)],
    ],
  ])('%s: same reminders, blocks, role and first words', (name, content) => {
    const message = { role: 'user', content };
    const view = viewOf(message);
    // Kept whole: a tag not at a line's start (prose, or after a literal backslash-n), a reminder in the kept start.
    expect(view === undefined).toBe(/prose|backslash|near the start/.test(name));
    const seen = view ?? message;
    expect(remindersOf(seen)).toEqual(remindersOf(message));
    expect(isToolResults(seen)).toBe(isToolResults(message));
    expect(roleOf(seen)).toBe(roleOf(message));
    expect(userText(seen).slice(0, 2000)).toBe(userText(message).slice(0, 2000));
  });

  test('cuts a long tool output (a view is much smaller than the message)', () => {
    const message = { role: 'user', content: [toolResult('t', big(20000))] };
    const view = viewOf(message);
    expect(JSON.stringify(view).length).toBeLessThan(JSON.stringify(message).length / 10);
  });

  test('no view of a short message, or of another role', () => {
    expect(viewOf({ role: 'user', content: [toolResult('t', `short ${'x'.repeat(300)}`)] })).toBeUndefined();
    expect(viewOf({ role: 'assistant', content: [text(big(20000))] })).toBeUndefined();
  });
});

/** A cut marker's size, as a number: the rest of cutText's marker is fixed. */
const MARKER = /\n…\[agenttap: (~?)([\d.]+) (B|KiB|MiB) more not included in the report\]/g;
const withoutSizes = (v: unknown) => JSON.stringify(v).replace(/\\n…\[agenttap: ~?[\d.]+ (?:B|KiB|MiB) more/g, '<cut>');
const cutOf = (content: unknown, max: number) => {
  const line = blobLine(content);
  const head = blobHead(line, 0, line.length)!;
  expect(head).toBeDefined();
  return cutJson(line, head.start, head.end, max);
};

describe('a message cut for the page from its bytes', () => {
  const tricky = [
    { role: 'user', content: [toolResult('t', big(3000))] },
    { role: 'user', content: [toolResult('t', `${'é中'.repeat(9000)}\n"quoted" \\ back\tslash`)] },
    { role: 'user', content: [text(`${'😀'.repeat(5000)}x`), text('short')] },
    { role: 'user', content: [toolResult('t', `\u0001\u001f${'\u0000ctl'.repeat(3000)}`)] },
    { role: 'assistant', content: [toolUse('u', 'Write', { file_path: 'a', content: big(2000), n: 3, ok: true })] },
    { role: 'user', content: [{ type: 'text', text: 'k', [`long key ${'k'.repeat(3000)}`]: big(500) }] },
    { role: 'user', content: [text(`${'\\'.repeat(4000)}"${'\\'.repeat(4001)}`)] },
  ];

  test('equals truncateDeep of the parsed message but for the size its markers give (every fixture message, odd text)', () => {
    const messages: unknown[] = [...tricky];
    for (const file of fixtureLogs(join(ROOT, 'tests', 'fixtures', 'logs')))
      for (const l of readFileSync(file, 'utf8').split('\n')) {
        const line = Buffer.from(l);
        const head = blobHead(line, 0, line.length);
        if (head) messages.push(JSON.parse(line.subarray(head.start, head.end).toString('utf8')));
      }
    expect(messages.length).toBeGreaterThan(40);
    let cuts = 0;
    for (const m of messages)
      for (const max of [1, 7, 100, 1000, 16_384]) {
        const expected = withoutSizes(truncateDeep(m, max));
        cuts += expected.split('<cut>').length - 1;
        expect(withoutSizes(cutOf(m, max))).toBe(expected);
      }
    expect(cuts).toBeGreaterThan(200);
  });

  test('decodes the kept start of a long string, not the rest; its marker gives the size left out, approximately', () => {
    const out = big(12_000);
    const message = { role: 'user', content: [toolResult('t', out)] };
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = (t: string, reviver?: Parameters<typeof parse>[1]) => {
      parsed += t.length;
      return parse(t, reviver);
    };
    let cut: unknown;
    try {
      cut = cutOf(message, 1000);
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBeLessThan(5000);
    expect(JSON.stringify(message).length).toBeGreaterThan(200_000);
    const [m] = [...JSON.stringify(cut).replaceAll('\\n', '\n').matchAll(MARKER)];
    expect(m?.[1]).toBe('~');
    const size = Number(m![2]) * { B: 1, KiB: 1024, MiB: 1 << 20 }[m![3] as 'B'];
    // Between the rest's UTF-8 bytes and its JSON form's (one more byte per escaped newline), within the rounding.
    const rest = out.slice(1000);
    expect(size).toBeGreaterThan(Buffer.byteLength(rest) * 0.99);
    expect(size).toBeLessThan((JSON.stringify(rest).length - 2) * 1.01);
  });

  test('a parsed string is cut the same way, its marker exact', () => {
    expect(truncateDeep({ a: ['x'.repeat(2048 + 5)] }, 5)).toEqual({
      a: ['xxxxx\n…[agenttap: 2.0 KiB more not included in the report]'],
    });
    expect(truncateDeep({ a: 'short', n: 1 }, 5)).toEqual({ a: 'short', n: 1 });
  });

  test('bytes that are not one whole JSON value: undefined', () => {
    const line = blobLine({ role: 'user', content: [text(big(100))] });
    const head = blobHead(line, 0, line.length)!;
    expect(cutJson(line, head.start, head.end - 40, 10)).toBeUndefined();
    expect(cutJson(Buffer.from('{"a":"x'), 0, 7, 1)).toBeUndefined();
  });

  test("the page's messages read by the heads of blob lines equal those from parsed lines (cache markers too)", async () => {
    const dir = scratch();
    // Every message of the lists written with a cache marker on its first block, as Claude Code's last message is.
    const file = writeSession(join(dir, 'fast'));
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(/^.*"event":"blob".*"prefix":.*$/gm, (l) =>
        l.replace(/\{"\$blob":"([0-9a-f]{32})"\}/g, '{"$blob":"$1","$cache":{"0":{"type":"ephemeral"}}}'),
      ),
    );
    const slowFile = parsedWhole(file, join(dir, 'slow'));
    const page = async (f: string) => {
      const items = new Map<string, unknown>();
      const sink = {
        content: (h: string, v: unknown) => !!items.set(h, v),
        has: (h: string) => items.has(h),
        exchange() {},
      };
      await buildReport(f, { subscribers: [new HtmlDetail(sink, 1000)] });
      return withoutSizes([...items].sort(([a], [b]) => a.localeCompare(b)));
    };
    const fast = await page(file);
    expect(fast).toContain('"cache_control":{"type":"ephemeral"}');
    expect(fast.split('<cut>').length).toBeGreaterThan(12);
    expect(fast).toBe(await page(slowFile));
  });
});

/** The log `file` again in `dir`, every blob line out of the sink's shape (a space after the first field): parsed whole. */
function parsedWhole(file: string, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, basename(file));
  writeFileSync(
    out,
    readFileSync(file, 'utf8').replace(/^\{"level":30,(.*"event":"blob")/gm, (_m, rest) => `{"level":3 ,${rest}`),
  );
  return out;
}

/** A session whose long messages carry what the facts read: reminders after tool outputs, long user words. */
function writeSession(dir: string): string {
  const w = new LogWriter(dir, { session: 'scan', pid: 7 });
  w.start(['node', 'agent.js']);
  const conv: unknown[] = [{ role: 'user', content: [reminder('Date: today.'), text(`Start. ${big(2000, 'u')}`)] }];
  const system = [text(`You are an agent. ${big(200, 's')}`)];
  for (let turn = 0; turn < 12; turn++) {
    const content = [toolUse(`t${turn}`, 'Read', { file_path: `f${turn}` })];
    w.exchange({
      at: turn * 1000,
      body: { model: 'm', max_tokens: 10, system, messages: conv },
      reply: reply(content),
      usage: { input_tokens: 5 },
    });
    conv.push({ role: 'assistant', content });
    const out =
      turn % 3 === 0
        ? `${big(3000, `r${turn}`)}\n<system-reminder>\nCheck ${turn}.\n</system-reminder>\n`
        : big(3000, `r${turn}`);
    conv.push({
      role: 'user',
      content: [toolResult(`t${turn}`, out), ...(turn % 4 === 1 ? [text(`Now ${big(1500, `w${turn}`)}`)] : [])],
    });
  }
  w.exchange({
    at: 13000,
    body: { model: 'm', max_tokens: 10, system, messages: conv },
    reply: reply([text('Done.')]),
  });
  w.end();
  return w.file;
}

describe('a report read by the heads of blob lines', () => {
  test('equals the report read by parsing every line', async () => {
    const dir = scratch();
    const file = writeSession(join(dir, 'fast'));
    const slowFile = parsedWhole(file, join(dir, 'slow'));
    const fast = JSON.stringify(await buildReport(file, {})).replaceAll(file, 'F');
    const slow = JSON.stringify(await buildReport(slowFile, {})).replaceAll(slowFile, 'F');
    expect(fast).toContain('Check 3.');
    expect(fast).toBe(slow);
  });

  test('parses a small part of the log for --json (blob content waits for a view that needs it)', async () => {
    const dir = scratch();
    const gen = generateSession(join(dir, 's'), { turns: 30, toolBytes: 200_000, subEvery: 10, compactEvery: 20 });
    const parse = JSON.parse;
    let parsed = 0;
    JSON.parse = (text: string, reviver?: Parameters<typeof parse>[1]) => {
      parsed += text.length;
      return parse(text, reviver);
    };
    try {
      const model = await buildReport(gen.file, {});
      expect(model.exchanges.length).toBe(gen.exchanges);
    } finally {
      JSON.parse = parse;
    }
    expect(parsed).toBeLessThan(gen.bytes / 10);
  });
});
