/**
 * `agenttap report --simulate RULES --html` in headless Chromium (issue 15): the Rules simulation section shows
 * the same table as `agenttap rules simulate --json` gives, and its exchange links open the exchanges the rules
 * would change; the page makes no request and logs no error. Build first (bin/agenttap.js → dist/).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { expect, test } from 'vitest';
import type { SimulationSummary } from '../../reports/model/simulation.js';
import { simulationText } from '../../reports/render/simulation-text.js';
import { ROOT, scratch } from '../helpers/run.js';

const CHROMIUM = '/usr/bin/chromium';
const SESSION = join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0');
// Sub-agents to Haiku; the main loop's context cut to its newest exchange (a sliding window).
const RULES = {
  rules: [
    { id: 'sub-agents', match: { mechanism: 'sub-agent' }, actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] },
    { id: 'window', match: { mechanism: 'main-loop' }, actions: [{ type: 'trimContext', keepExchanges: 1 }] },
  ],
};

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
};

test('the Rules simulation section: the CLI’s table, and links to the exchanges the rules would change', async () => {
  expect(existsSync(CHROMIUM), 'Debian chromium is missing: apt-get install -y chromium (.ci/run does it)').toBe(true);
  const dir = scratch('agenttap-sim-html-');
  const rules = join(dir, 'rules.json');
  writeFileSync(rules, JSON.stringify(RULES));
  const file = join(dir, 'report.html');
  cli('report', SESSION, '--simulate', rules, '--html', file, '-q');
  const expected = simulationText(JSON.parse(cli('rules', 'simulate', SESSION, '--rules', rules, '--json')));

  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    const url = `file://${file}`;
    const outside: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => void (r.url() !== url && outside.push(r.url())));
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
    await page.goto(url);
    await page.waitForFunction(() => 'agenttapReport' in window, null, { timeout: 15_000 });

    const cells = (id: string) =>
      page.$$eval(`#${id} tr`, (rows) => rows.map((r) => [...r.children].map((c) => c.textContent ?? '')));
    expect(await cells('simulation-table')).toEqual([expected.head, ...expected.rows, expected.total]);
    expect(await cells('simulation-rules')).toEqual([expected.head, ...expected.perRule]);
    expect(expected.rows.map((r) => r[1])).toEqual(
      expect.arrayContaining(['claude-code.main-loop', 'claude-code.sub-agent']),
    );

    // One link per decision; a link opens its exchange.
    const model = await page.evaluate(
      () => JSON.parse(document.getElementById('report-model')!.textContent!) as { simulation: SimulationSummary },
    );
    const links = page.locator('#simulation .simulated button.link');
    expect(await links.count()).toBe(model.simulation.decisions.length);
    await page.locator('#simulation details summary').click();
    const last = links.last();
    const label = await last.textContent();
    await last.click();
    await page.waitForFunction((l) => document.querySelector('#exchange h2')?.textContent === `Exchange ${l}`, label, {
      timeout: 5_000,
    });
    expect(outside).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await browser.close();
  }
}, 120_000);
