// Question: does the HTML report stay responsive with 5 000 exchanges? Renders a generated 5 000-exchange
// session and a 20-exchange baseline (bench/report-generate.mjs), opens each in headless Chromium
// (Debian `chromium`) 5 times, alternating, and measures in the page: time until the report is interactive
// (`performance.now()` when the script has built every view, from navigation start) and the time to open
// one exchange and redraw the timeline. Medians, and the ratio to the baseline. Not part of `npm test`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { median } from './lib/measure.mjs';
import { writeSection } from './lib/write-section.mjs';
import { generateSession } from './report-generate.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const RUNS = 5;
const tmp = mkdtempSync(join(tmpdir(), 'agenttap-bench-browser-'));

function render(turns) {
  const dir = join(tmp, `s${turns}`);
  const gen = generateSession(dir, { turns, toolBytes: 1000 });
  const out = `${dir}.html`;
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), 'report', dir, '--html', out, '-q'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(r.stderr);
  return { out, exchanges: gen.exchanges };
}

const browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'agenttap-chromium-')), {
  executablePath: '/usr/bin/chromium',
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
});
try {
  const small = render(16);
  const big = render(4100);
  const measure = async ({ out, exchanges }) => {
    const page = await browser.newPage();
    await page.goto(`file://${out}`);
    await page.waitForFunction(() => 'agenttapReport' in window);
    const ready = await page.evaluate(() => window.agenttapReport.ready);
    const open = await page.evaluate(
      (i) => {
        const t = performance.now();
        window.agenttapReport.openExchange(i);
        return performance.now() - t;
      },
      Math.floor(exchanges / 2),
    );
    await page.close();
    return { ready, open };
  };
  const s = [];
  const b = [];
  for (let i = 0; i < RUNS; i++) {
    s.push(await measure(small));
    b.push(await measure(big));
  }
  const row = (q, f) =>
    `| ${q} | ${median(s.map(f)).toFixed(0)} ms | ${median(b.map(f)).toFixed(0)} ms | ${(median(b.map(f)) / median(s.map(f))).toFixed(2)}× |`;
  const md = `## Report page responsiveness (bench/report-browser.mjs)

Headless Chromium (Debian \`chromium\`), ${RUNS} loads each, alternating, medians; measured inside the page.
Baseline: a ${small.exchanges}-exchange session; subject: ${big.exchanges} exchanges. Machine: ${process.platform}/${process.arch},
Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| question | ${small.exchanges} exchanges | ${big.exchanges} exchanges | ratio |
|---|---|---|---|
${row('time until interactive (navigation start → every view built)', (x) => x.ready)}
${row('open one exchange (request, response, timeline redraw)', (x) => x.open)}

The timeline and the context chart are canvases (one draw call per bar) and the exchange list is virtualised
(only the visible rows exist), so the page's DOM does not grow with the session; content is parsed only when an
exchange is opened.`;
  writeSection(join(ROOT, 'BENCHMARKS.md'), 'report-browser', md);
  process.stdout.write(`${md}\n`);
} finally {
  await browser.close();
  rmSync(tmp, { recursive: true, force: true });
}
