/**
 * The HTML report in real headless Chromium (Debian `chromium`, driven by playwright-core; `.ci/run`
 * installs it). One browser for the file; pages open the report from file:// with every request outside
 * the file itself recorded (there must be none).
 *
 *   - Claude Code 1.0.x fixture: the summary table and the lanes are there (read back from the canvas'
 *     pixels), clicking a bar and a list row opens the exchange, reminders are highlighted, screenshot
 *   - hostile fixture: <script>, <img onerror>, javascript: links, a </script> break-out — shown as text,
 *     nothing runs, no CSP violation (nothing even tried)
 *   - a crafted log (issue 16 item 7) with a </script><meta http-equiv=refresh> break-out, <!--, U+2028 in every
 *     string field, ids, blob hashes and pids included: the page renders, stays where it is, adds no element
 *   - a generated 5 000-exchange session: the list is virtualised and the page works (the time figure is
 *     in BENCHMARKS.md, from bench/report-browser.mjs: timed tests are not allowed here)
 *   - reminders by structure: a <system-reminder> mentioned in the system prompt's prose highlights nothing; the
 *     user's reminder block is highlighted, and only it
 *   - rewrites fixture: rewritten exchanges carry a marker (list badge, ▼ on the canvas, one colour per outcome),
 *     the Rewrites table has a row per rule set and a total, an exchange shows its rules and refusal reasons
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { generateSession } from '../../bench/report-generate.mjs';
import { fixtureFacts, REWRITES } from '../fixtures/logs/rewrites/decisions.js';
import { ROOT, scratch } from '../helpers/run.js';

const CHROMIUM = '/usr/bin/chromium';
const LOGS = join(ROOT, 'tests', 'fixtures', 'logs');
const HOSTILE = [
  '<script>window.__pwned = "script"</script>',
  '<img src=x onerror="window.__pwned = \'img\'">',
  '<a href="javascript:window.__pwned = \'link\'">click me</a>',
  '</script><script>window.__pwned = "breakout"</script>',
];

/** Temporary folders of this file (generated sessions and pages are tens of MB): removed at the end. */
const temps: string[] = [];
const temp = (prefix: string) => {
  const dir = scratch(prefix);
  temps.push(dir);
  return dir;
};

function render(session: string): string {
  const out = join(temp('agenttap-html-'), 'report.html');
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), 'report', session, '--html', out, '-q'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return out;
}

let browser: BrowserContext;
beforeAll(async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is missing: apt-get install -y chromium (.ci/run does it)').toBe(true);
  const profile = mkdtempSync(join(tmpdir(), 'agenttap-chromium-'));
  temps.push(profile);
  browser = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1300, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 30_000,
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  outside: string[];
  errors: string[];
  dialogs: string[];
}

async function open(file: string): Promise<Opened> {
  const page = await browser.newPage();
  const o: Opened = { page, outside: [], errors: [], dialogs: [] };
  const url = `file://${file}`;
  page.on('request', (r) => void (r.url() !== url && o.outside.push(r.url())));
  page.on('console', (m) => void (m.type() === 'error' && o.errors.push(m.text())));
  page.on('pageerror', (e) => o.errors.push(e.message));
  page.on('dialog', (d) => {
    o.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.addInitScript(() => {
    (window as unknown as { __violations: string[] }).__violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { __violations: string[] }).__violations.push(`${e.violatedDirective} ${e.sample}`),
    );
  });
  await page.goto(url);
  await page.waitForFunction(() => 'agenttapReport' in window, null, { timeout: 15_000 });
  return o;
}

describe('HTML report in Chromium', () => {
  test('Claude Code 1.0.x session: summary table, lanes, exchange view, screenshot', async () => {
    const file = render(join(LOGS, 'claude-code-1.0'));
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(
      /<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'sha256-[^']+'; style-src 'sha256-[^']+';/,
    );
    const { page, outside, errors } = await open(file);

    const rows = await page.$$eval('#summary-table tbody tr', (trs) =>
      trs.map((tr) => [tr.getAttribute('data-mechanism'), tr.querySelector('td:nth-child(2)')!.textContent]),
    );
    expect(rows).toEqual([
      ['quota-check', '1'],
      ['topic-detection', '1'],
      ['main-loop', '6'],
      ['bash-prefix-check', '1'],
      ['sub-agent', '2'],
      ['session-title', '1'],
      ['compaction', '1'],
      ['post-compaction', '1'],
      [null, '14'],
    ]);

    // One lane per mechanism, each with at least one bar: read the canvas back.
    const lanes = await page.evaluate(() => {
      const c = document.getElementById('timeline-canvas') as HTMLCanvasElement;
      const g = c.getContext('2d')!;
      const dpr = window.devicePixelRatio || 1;
      const out: number[] = [];
      for (let lane = 0; lane < 8; lane++) {
        const y = Math.round((lane * 26 + 13) * dpr);
        const data = g.getImageData(Math.round(230 * dpr), y, c.width - Math.round(230 * dpr), 1).data;
        let coloured = 0;
        for (let i = 0; i < data.length; i += 4)
          if (Math.abs(data[i]! - data[i + 1]!) > 40 || Math.abs(data[i + 1]! - data[i + 2]!) > 40) coloured++;
        out.push(coloured);
      }
      return { out, height: c.getBoundingClientRect().height };
    });
    expect(lanes.height).toBe(8 * 26 + 24);
    for (const coloured of lanes.out) expect(coloured).toBeGreaterThan(0);

    // Click the sub-agent's first bar on the canvas.
    const at = await page.evaluate(() =>
      (
        window as unknown as { agenttapReport: { barCentre(i: number): { x: number; y: number } } }
      ).agenttapReport.barCentre(6),
    );
    await page.locator('#timeline-canvas').click({ position: at });
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #6');
    const view = (await page.textContent('#exchange'))!;
    expect(view).toContain('Sub-agent — claude-code@1.0/sub-agent');
    expect(view).toContain('Task tool_use toolu_task1 in #5');
    expect(view).toContain('Find where parseConfig turns config values into numbers');

    // A list row opens the first main-loop call: its reminders are highlighted, its reply readable.
    await page.click('.list .row[data-exchange="2"]');
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #2');
    expect(await page.$$eval('#exchange mark.reminder', (m) => m.map((x) => x.textContent!.slice(0, 40)))).toEqual(
      ["<system-reminder>\nAs you answer the user'", '<system-reminder>\nThe user opened the fi'].map((s) =>
        s.slice(0, 40),
      ),
    );
    expect(await page.textContent('#exchange')).toContain('TodoWrite toolu_todo1');

    // The next main-loop call: earlier messages folded, the new ones marked.
    await page.click('.list .row[data-exchange="3"]');
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #3');
    expect(await page.textContent('#exchange')).toContain(
      '1 earlier message(s), unchanged from the previous request of this thread',
    );
    expect(await page.$$eval('#exchange .msg.new .role', (r) => r.map((x) => x.textContent))).toEqual([
      'assistant · new in this request',
      'user · new in this request',
    ]);

    // The compaction call changed the system prompt and dropped the tools: shown as a diff.
    await page.click('.list .row[data-exchange="11"]');
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #11');
    expect(await page.$$eval('#exchange pre.diff ins', (x) => x.map((e) => e.textContent))).toEqual([
      'You are a helpful AI assistant tasked with summarizing conversations.',
    ]);
    expect(await page.locator('#exchange pre.diff del').count()).toBeGreaterThan(0);
    expect(await page.textContent('#exchange')).toContain('tools changed since the previous request: − Task, Bash');

    // No rewrite decisions in this log: no Rewrites section, no markers.
    expect(await page.locator('#rewrites').count()).toBe(0);
    expect(await page.locator('.list .row[data-rewrite]').count()).toBe(0);

    const shot = join(temp('agenttap-shot-'), 'claude-code-1.0.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(50_000);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('captured markup is shown as text and executes nothing', async () => {
    const file = render(join(LOGS, 'hostile'));
    const { page, outside, errors, dialogs } = await open(file);
    for (const i of [0, 1]) {
      await page.click(`.list .row[data-exchange="${i}"]`);
      await expect.poll(() => page.textContent('#exchange h2')).toBe(`Exchange #${i}`);
      // Unfold everything (system prompt, tools, earlier messages) and click the javascript: text.
      await page.$$eval('#exchange details', (ds) => {
        for (const d of ds) (d as HTMLDetailsElement).open = true;
      });
      const text = (await page.textContent('#exchange'))!;
      for (const payload of HOSTILE) expect(text).toContain(payload);
    }
    await page.getByText('javascript:window.__pwned', { exact: false }).first().click();
    expect(await page.textContent('header')).toContain('session hostile <b>session</b>');
    const dom = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: string }).__pwned,
      violations: (window as unknown as { __violations: string[] }).__violations,
      scripts: document.scripts.length,
      imgs: document.images.length,
      svgs: document.querySelectorAll('svg').length,
      links: [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href')),
      title: document.title,
    }));
    expect(dom).toEqual({
      pwned: undefined,
      violations: [],
      scripts: 3,
      imgs: 0,
      svgs: 0,
      links: [],
      title: 'agenttap report — hostile <b>session</b>',
    });
    expect(dialogs).toEqual([]);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a crafted log cannot leave the data block: ids, hashes and pids are data too (issue 16 item 7)', async () => {
    // Every string the log holds, including the ones a renderer might take for plumbing (exchange id, blob
    // hash, pid, session id), carries a break-out: end the data <script>, then a refresh that navigates away.
    const P =
      '</script><meta http-equiv="refresh" content="0;url=about:blank"><b class="pwn">pwn</b><!--<script>\u2028\u2029\t\n-->';
    const session = join(temp('agenttap-crafted-'), 'session');
    mkdirSync(session);
    const lines = (pid: number | string, n: number) => {
      const base = { level: 30, v: 1, session: `s${P}`, pid, ppid: P };
      const ev = (event: string, mono: number, body: Record<string, unknown>) =>
        JSON.stringify({ ...base, time: 1751364000000 + mono, mono, event, ...body });
      const id = `${P}${n}`;
      const hash = `${P}h${n}`;
      const body = {
        model: P,
        max_tokens: 64,
        [P]: P,
        system: { $blob: hash },
        tools: [{ name: P, description: P, input_schema: { type: 'object', properties: { [P]: { type: 'string' } } } }],
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: P },
              { type: 'text', text: `<system-reminder>${P}</system-reminder>` },
            ],
          },
        ],
      };
      return `${[
        ev('session.start', 0, { agenttap: P, node: P, argv: [P], cwd: P }),
        ev('blob', 1, { hash, content: [{ type: 'text', text: `system ${P}` }] }),
        ev('tap.warning', 2, { message: P }),
        ev('exchange.request', 10, {
          exchange: id,
          layer: P,
          endpoint: 'anthropic.messages',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': P,
          'http.request.method': 'POST',
          'url.full': `https://api.anthropic.com/v1/messages?${P}`,
          stream: true,
          headers: { [P]: P },
          body,
        }),
        ev('exchange.response', 20, {
          exchange: id,
          'http.response.status_code': 200,
          headers: { [P]: P },
          ttfb_ms: 10,
        }),
        ev('exchange.end', 90, {
          exchange: id,
          outcome: 'complete',
          duration_ms: 80,
          ttft_ms: 12,
          body: {
            id: P,
            type: 'message',
            role: 'assistant',
            model: P,
            content: [
              { type: 'text', text: P },
              { type: 'tool_use', id: P, name: P, input: { [P]: P } },
            ],
            stop_reason: P,
          },
          usage: { input_tokens: 10, output_tokens: 5 },
          'gen_ai.response.model': P,
          'gen_ai.response.finish_reasons': [P],
          error: { type: P, message: P },
        }),
        ev(P, 95, { [P]: P }),
      ].join('\n')}\n`;
    };
    writeFileSync(join(session, '778.ndjson'), lines(778, 1));
    writeFileSync(join(session, '779.ndjson'), lines(`779${P}`, 2));
    const file = render(session);
    const url = `file://${file}`;
    const { page, outside, errors, dialogs } = await open(file);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => void (f === page.mainFrame() && navigations.push(f.url())));
    for (const i of [0, 1]) {
      await page.click(`.list .row[data-exchange="${i}"]`);
      await expect.poll(() => page.textContent('#exchange h2')).toBe(`Exchange #${i}`);
      await page.$$eval('#exchange details', (ds) => {
        for (const d of ds) (d as HTMLDetailsElement).open = true;
      });
    }
    // The exchange with a numeric pid is found with its content: the payload is there as text, U+2028 and all.
    await page.click('.list .row[data-exchange="0"]');
    await page.$$eval('#exchange details', (ds) => {
      for (const d of ds) (d as HTMLDetailsElement).open = true;
    });
    expect(await page.textContent('#exchange')).toContain(P.slice(0, P.indexOf('\t')));
    // A refresh would have fired by now (content="0"); a second look after the page has settled.
    await page.waitForTimeout(300);
    const dom = await page.evaluate(() => ({
      url: location.href,
      metas: [...document.querySelectorAll('meta')].map(
        (m) => m.getAttribute('http-equiv') ?? m.getAttribute('name') ?? m.getAttribute('charset'),
      ),
      scripts: document.scripts.length,
      pwn: document.querySelectorAll('.pwn, body b.pwn').length,
      comments: (() => {
        const w = document.createTreeWalker(document, NodeFilter.SHOW_COMMENT);
        let n = 0;
        while (w.nextNode()) n++;
        return n;
      })(),
      ready: 'agenttapReport' in window,
    }));
    expect(dom).toEqual({
      url,
      metas: ['utf-8', 'Content-Security-Policy', 'referrer', 'viewport'],
      scripts: 3,
      pwn: 0,
      comments: 0,
      ready: true,
    });
    expect(navigations).toEqual([]);
    expect(dialogs).toEqual([]);
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('reminders are highlighted by structure: a tag mentioned in the system prompt marks nothing (issue 16)', async () => {
    const prose = 'Tool results and user messages may include <system-reminder> tags. They are added by the system.';
    const rest = '# Tone and style\nBe concise.\n# Tools\nUse them well.';
    const reminder = '<system-reminder>\nThe user opened the file a.ts in the IDE.\n</system-reminder>';
    const session = join(temp('agenttap-reminders-'), 'session');
    mkdirSync(session);
    const base = { level: 30, v: 1, session: 'reminders', pid: 51, ppid: 1 };
    const ev = (event: string, mono: number, body: Record<string, unknown>) =>
      JSON.stringify({ ...base, time: 1751364000000 + mono, mono, event, ...body });
    writeFileSync(
      join(session, '51.ndjson'),
      [
        ev('session.start', 0, { argv: ['node', 'agent.mjs'] }),
        ev('exchange.request', 10, {
          exchange: 'a',
          layer: 'fetch',
          endpoint: 'anthropic.messages',
          'gen_ai.provider.name': 'anthropic',
          'gen_ai.request.model': 'claude-haiku-4-5',
          'http.request.method': 'POST',
          'url.full': 'https://api.anthropic.com/v1/messages',
          stream: true,
          headers: {},
          body: {
            model: 'claude-haiku-4-5',
            max_tokens: 64,
            system: `You are an agent.\n${prose}\n${rest}`,
            messages: [
              {
                role: 'user',
                content: [
                  { type: 'text', text: reminder },
                  { type: 'text', text: 'What does <system-reminder> mean in your prompt?' },
                ],
              },
            ],
          },
        }),
        ev('exchange.end', 90, {
          exchange: 'a',
          outcome: 'complete',
          duration_ms: 80,
          usage: { input_tokens: 10, output_tokens: 2 },
          body: { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'ok' }] },
        }),
      ].join('\n'),
    );
    const { page, errors } = await open(render(session));
    await page.click('.list .row[data-exchange="0"]');
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #0');
    await page.$$eval('#exchange details', (ds) => {
      for (const d of ds) (d as HTMLDetailsElement).open = true;
    });
    expect(await page.textContent('#exchange')).toContain(rest);
    expect(await page.$$eval('#exchange mark.reminder', (m) => m.map((x) => x.textContent))).toEqual([reminder]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("rewrites: rewritten exchanges marked, the Rewrites table, an exchange's rules and reasons", async () => {
    const facts = fixtureFacts();
    const file = render(REWRITES);
    const { page, outside, errors } = await open(file);
    // Row index of each exchange, from the page's own list (pid and id are in the model it carries).
    const index = new Map(
      await page.evaluate(() =>
        (
          JSON.parse(document.getElementById('report-model')!.textContent!) as {
            exchanges: { i: number; pid: number; id: string }[];
          }
        ).exchanges.map((r) => [`${r.pid}/${r.id}`, r.i] as [string, number]),
      ),
    );
    const expected = new Map(facts.decisions.filter((d) => index.has(d.key)).map((d) => [index.get(d.key)!, d]));
    expect(expected.size).toBeGreaterThan(0);

    // The list: a badge on exactly the rewritten rows, saying what happened.
    const marked = await page.$$eval('.list .row[data-rewrite]', (rs) =>
      rs.map(
        (r) =>
          [
            Number(r.getAttribute('data-exchange')),
            r.getAttribute('data-rewrite'),
            r.querySelectorAll('.rw').length,
          ] as const,
      ),
    );
    expect(new Map(marked.map(([i, state]) => [i, state]))).toEqual(
      new Map([...expected].map(([i, d]) => [i, d.state])),
    );
    for (const [, , badges] of marked) expect(badges).toBe(1);

    // The canvas: a coloured ▼ over each rewritten bar, none over the others; one colour per outcome.
    const pixels = await page.evaluate((n) => {
      const c = document.getElementById('timeline-canvas') as HTMLCanvasElement;
      const g = c.getContext('2d')!;
      const dpr = window.devicePixelRatio || 1;
      const api = (window as unknown as { agenttapReport: { markerAt(i: number): { x: number; y: number } } })
        .agenttapReport;
      return Array.from({ length: n }, (_, i) => {
        const p = api.markerAt(i);
        return [...g.getImageData(Math.round(p.x * dpr), Math.round(p.y * dpr), 1, 1).data.slice(0, 3)];
      });
    }, index.size);
    const grey = (p: number[]) => Math.max(...p) - Math.min(...p) < 20;
    const colours = new Map<string, Set<string>>();
    pixels.forEach((p, i) => {
      const d = expected.get(i);
      expect(grey(p), `marker of #${i}: ${p}`).toBe(!d);
      if (d) colours.set(d.state, (colours.get(d.state) ?? new Set()).add(p.join()));
    });
    expect([...colours.values()].map((s) => s.size)).toEqual([...colours.keys()].map(() => 1));
    expect(new Set([...colours.values()].map((s) => [...s][0])).size).toBe(colours.size);

    // The Rewrites table: a row per rule set, then the total.
    const sets = new Set(facts.decisions.map((d) => d.rules.join('+')));
    expect(
      await page.$$eval('#rewrites-table tbody tr', (trs) =>
        trs.map((tr) => tr.getAttribute('data-rules') ?? tr.className),
      ),
    ).toEqual(expect.arrayContaining([...sets, 'total']));
    expect(await page.locator('#rewrites-table tbody tr').count()).toBe(sets.size + 1);
    expect(await page.textContent('#rewrites-table tr.total td:nth-child(2)')).toBe(String(facts.decisions.length));

    // A sent rewrite with several rules, opened from the list: its rules, and the request shown is the rewritten one.
    const [multi, dm] = [...expected].find(([, d]) => d.rules.length > 1 && d.state === 'sent')!;
    await page.click(`.list .row[data-exchange="${multi}"]`);
    await expect.poll(() => page.textContent('#exchange h2')).toBe(`Exchange #${multi}`);
    expect(
      await page.$$eval('#exchange .rewrite [data-rule]', (b) => b.map((x) => x.getAttribute('data-rule'))),
    ).toEqual(dm.rules);
    expect(await page.textContent('#exchange .rewrite')).toContain('The request below is the rewritten one.');

    // A refused one, opened from the Rewrites section's links: its reasons.
    const [rej, dr] = [...expected].find(([, d]) => d.state === 'rejected' && d.rejected.length)!;
    await page.locator('#rewrites button.link', { hasText: new RegExp(`^#${rej}$`) }).click();
    await expect.poll(() => page.textContent('#exchange h2')).toBe(`Exchange #${rej}`);
    expect(await page.$$eval('#exchange .rewrite .reasons li', (li) => li.map((x) => x.textContent))).toEqual(
      dr.rejected,
    );

    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the agent's own labels: agreement and disagreeing pairs, an exchange's label beside its signature, unclassified shapes", async () => {
    const dir = temp('agenttap-html-labels-');
    writeFileSync(join(dir, '4242.ndjson'), readFileSync(join(LOGS, 'claude-code-1.0', '4242.ndjson')));
    const label = (exchange: string, query_source: string) =>
      JSON.stringify({
        level: 30,
        time: 1751364050000,
        v: 1,
        session: 'cc10',
        pid: 7,
        ppid: 1,
        event: 'exchange.label',
        mono: 1,
        exchange,
        source: 'claude-code',
        label: query_source,
        request_id: `req_${exchange}`,
      });
    // One call of an endpoint no signature knows: unclassified, its shape listed.
    const odd = { level: 30, v: 1, session: 'cc10', pid: 4300, ppid: 1 };
    writeFileSync(
      join(dir, '4300.ndjson'),
      `${[
        JSON.stringify({
          ...odd,
          time: 1751364060000,
          mono: 1,
          event: 'exchange.request',
          exchange: 'n-1',
          layer: 'fetch',
          endpoint: 'custom',
          'gen_ai.request.model': 'claude-sonnet-9',
          'http.request.method': 'POST',
          'url.full': 'https://api.example.com/v9/agent',
          stream: false,
          headers: {},
          body: {
            model: 'claude-sonnet-9',
            system: 'You are <b>new</b>',
            messages: [{ role: 'user', content: 'hello there' }],
          },
        }),
        JSON.stringify({
          ...odd,
          time: 1751364060010,
          mono: 11,
          event: 'exchange.end',
          exchange: 'n-1',
          outcome: 'complete',
          duration_ms: 10,
        }),
      ].join('\n')}\n`,
    );
    writeFileSync(
      join(dir, '7.ndjson'),
      `${[label('ex-3', 'sdk'), label('ex-5', 'compact'), label('n-1', 'sdk')].join('\n')}\n`,
    );
    const { page, outside, errors } = await open(render(dir));
    expect(await page.textContent('#agent-labels h2')).toBe("Agent's own labels: 1 of 3 agree with the signatures");
    const pairs = await page.$$eval('#agent-labels tbody tr', (trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    );
    expect(pairs).toEqual([
      ['Bash prefix check', 'compact', '1'],
      ['Unclassified', 'sdk', '1'],
    ]);
    const shapes = await page.$$eval('#unclassified-shapes tbody tr td.preview', (tds) =>
      tds.map((td) => td.textContent),
    );
    expect(shapes).toEqual(['claude-sonnet-9 | You are <b>new</b> | (no tools) | hello there']);
    // The shape's link opens its exchange, which shows the agent's label beside the signature's.
    await page.click('#unclassified-shapes tbody tr button.link');
    const kv = await page.$$eval('#exchange .kv > div', (ds) => ds.map((d) => d.textContent));
    expect(kv[kv.indexOf("agent's label") + 1]).toBe('sdk (Main agent loop) — disagrees with the signature');
    expect([outside, errors]).toEqual([[], []]);
  });

  test('a 5 000-exchange session: virtualised list, lanes drawn, an exchange opens', async () => {
    const dir = temp('agenttap-5k-');
    const gen = generateSession(join(dir, 'session'), { turns: 4100, toolBytes: 300 });
    expect(gen.exchanges).toBeGreaterThanOrEqual(5000);
    const file = render(join(dir, 'session'));
    const { page, errors } = await open(file);
    expect(await page.textContent('#exchanges h2')).toBe(`Exchanges (${gen.exchanges})`);
    expect(await page.locator('.list .row').count()).toBeLessThan(40);
    await page.locator('.list').evaluate((el) => (el.scrollTop = 24 * 4000));
    await page.click('.list .row[data-exchange="4003"]');
    await expect.poll(() => page.textContent('#exchange h2')).toBe('Exchange #4003');
    const ready = await page.evaluate(
      () => (window as unknown as { agenttapReport: { ready: number } }).agenttapReport.ready,
    );
    process.stderr.write(
      `report-browser: 5 000-exchange page interactive after ${ready.toFixed(0)} ms (figure: bench/report-browser.mjs)\n`,
    );
    expect(errors).toEqual([]);
    await page.close();
  });
});
