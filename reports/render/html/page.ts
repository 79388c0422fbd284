/**
 * The self-contained HTML report. The renderer (CSS + script) is built once and is the same for every
 * report; the session arrives as inert data appended after it (STYLE #24, after Playwright's HTML reporter):
 *
 *   <meta CSP: default-src 'none'; script and style allowed by sha256 only>
 *   <style>CSS</style>
 *   <script type="application/json" id="report-model">  the report model (JSON, '<' escaped)
 *   <script type="application/json" id="report-content"> captured content, one "kind\tkey\tjson" line each,
 *                                                       the key a JSON string too (hashes and ids come from the log)
 *   <script>the client (client/index.ts and its views, bundled at build time into client.bundle.js)</script>
 *
 * No network, no CDN: it opens from file:// and can be attached to a bug report. Content is spooled to a
 * temporary file while the log is read, so writing the page never holds the session in memory.
 */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DetailSink, ExchangeDetail } from './detail.js';
import type { ReportModel } from '../../model/types.js';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CSS } from './styles.js';

/**
 * JSON that cannot end its `<script>` element: every '<' becomes \u003c (only legal inside strings), and
 * U+2028/U+2029 are escaped too (a line splitter that honours them must not cut a content line).
 * Everything that enters the page goes through here: captured text, but also hashes, ids and pids, which a
 * crafted log controls as much as the text.
 */
export const inertJson = (value: unknown) =>
  JSON.stringify(value).replace(/[<\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const BUNDLE = 'client.bundle.js';

/**
 * The client bundle: beside this file once built (dist/reports/render/html/); from a source checkout (tests
 * run reports/ from source), the build's copy in the package's dist/.
 */
function clientScript(): string {
  const beside = fileURLToPath(new URL(`./${BUNDLE}`, import.meta.url));
  const root = dirname(createRequire(import.meta.url).resolve('agenttap/package.json'));
  const file = existsSync(beside) ? beside : join(root, 'dist', 'reports', 'render', 'html', BUNDLE);
  // '</script' cannot occur in a bundle of our own source; checked anyway, as the page depends on it.
  const text = readFileSync(file, 'utf8');
  if (/<\/script/i.test(text)) throw new Error(`${file} contains "</script": it cannot be inlined`);
  return text;
}

let page: { script: string; csp: string } | undefined;
const sha256 = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;
/** The script and the CSP that allows exactly it, read once (the bundle is a build output). */
function renderer(): { script: string; csp: string } {
  if (page) return page;
  const script = clientScript();
  page = {
    script,
    csp: `default-src 'none'; script-src ${sha256(script)}; style-src ${sha256(CSS)}; img-src data:; base-uri 'none'; form-action 'none'`,
  };
  return page;
}
/** The page's Content-Security-Policy. */
export const csp = () => renderer().csp;

/** Collects content into a spool file; `budget` bytes at most (then the report says content was left out). */
export class ContentSpool implements DetailSink {
  readonly dir = mkdtempSync(join(tmpdir(), 'agenttap-report-'));
  readonly file = join(this.dir, 'content.ndjson');
  private readonly out: WriteStream = createWriteStream(this.file);
  private readonly seen = new Set<string>();
  private bytes = 0;
  private waiting: Promise<void> | undefined;

  constructor(private readonly budget = 256 << 20) {}

  has(hash: string): boolean {
    return this.seen.has(hash);
  }

  content(hash: string, value: unknown): boolean {
    if (this.seen.has(hash)) return true;
    const line = `c\t${inertJson(hash)}\t${inertJson(value)}\n`;
    if (this.bytes + line.length > this.budget) return false;
    this.seen.add(hash);
    this.write(line);
    return true;
  }

  exchange(key: string, record: ExchangeDetail): void {
    const line = `x\t${inertJson(key)}\t${inertJson(record)}\n`;
    if (this.bytes + line.length > this.budget) return;
    this.write(line);
  }

  private write(line: string): void {
    this.bytes += line.length;
    // Backpressure: the reader awaits `drained()` between exchanges; listen for 'drain' right away.
    if (!this.out.write(line) && !this.waiting) {
      this.waiting = new Promise((r) =>
        this.out.once('drain', () => {
          this.waiting = undefined;
          r();
        }),
      );
    }
  }

  drained(): Promise<void> {
    return this.waiting ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.drained();
    await new Promise<void>((r) => this.out.end(r));
  }

  dispose(): void {
    // Disposed early (the log could not be read): the file may not be open yet, and would fail to open once its
    // folder is gone — an 'error' nobody listens for, which ended the process with a stack instead of the reason.
    this.out.on('error', () => {});
    this.out.destroy();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function writeHtml(
  model: ReportModel,
  spool: ContentSpool | undefined,
  out: NodeJS.WritableStream,
): Promise<void> {
  const { script, csp } = renderer();
  const write = (s: string) =>
    out.write(s) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r()));
  await write(`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>agenttap report</title>
<style>${CSS}</style>
</head><body><div id="app"></div>
<script type="application/json" id="report-model">${inertJson(model)}</script>
<script type="application/json" id="report-content">`);
  if (spool) {
    await spool.close();
    // Copied as bytes: the spool holds whole lines of inert JSON already.
    for await (const chunk of createReadStream(spool.file, { highWaterMark: 1 << 20 }))
      if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await write(`</script>\n<script>${script}</script>\n</body></html>\n`);
}
