/**
 * `agenttap report`'s engine: read → classify → render. Depends on the log's event types and readers
 * (src/log), the mechanism signatures (src/mechanisms) and prices (src/pricing) — never on the tap.
 */
import { open } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { buildReport, type BuildOptions } from './model/build.js';
import { ContentSpool, writeHtml } from './render/html/page.js';
import type { ReportModel } from './model/types.js';
import { ReportOutputError } from './render/output-error.js';

export { buildReport, type BuildOptions } from './model/build.js';
export { renderJson } from './render/json/index.js';
export { renderMarkdown } from './render/markdown/index.js';
export { renderTerminal } from './render/terminal/index.js';
export { csp, inertJson } from './render/html/page.js';
export type * from './model/types.js';
export { ReportOutputError } from './render/output-error.js';

export interface HtmlOptions extends BuildOptions {
  /** Most bytes of captured content the page carries (default 256 MiB); the rest is left out, and says so. */
  contentBudget?: number;
}

/** Builds the model and writes the HTML page to `file` (created 0600: it holds the prompts) in one pass over the log. */
export async function reportHtml(path: string, file: string, options: HtmlOptions = {}): Promise<ReportModel> {
  const spool = new ContentSpool(options.contentBudget);
  try {
    const model = await buildReport(path, { ...options, detail: spool });
    try {
      const handle = await open(file, 'w', 0o600);
      // An existing file keeps its mode on open; someone else's file that we may write keeps it.
      await handle.chmod(0o600).catch(() => undefined);
      const out = handle.createWriteStream();
      const done = finished(out);
      await Promise.race([writeHtml(model, spool, out), done]);
      out.end();
      await done;
    } catch (err) {
      throw new ReportOutputError('html', file, err);
    }
    return model;
  } finally {
    spool.dispose();
  }
}
