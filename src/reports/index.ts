/**
 * `agenttap report`'s engine: read → classify → render. Depends on the log's event types and readers
 * (src/log), the mechanism signatures (src/mechanisms) and prices (src/pricing) — never on the tap.
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { buildReport, type BuildOptions } from './build.js';
import { ContentSpool, writeHtml } from './html/page.js';
import type { ReportModel } from './model.js';

export { buildReport, type BuildOptions } from './build.js';
export { renderMarkdown, renderTerminal } from './text.js';
export { CSP, inertJson } from './html/page.js';
export type * from './model.js';

export interface HtmlOptions extends BuildOptions {
  /** Most bytes of captured content the page carries (default 256 MiB); the rest is left out, and says so. */
  contentBudget?: number;
}

/** Builds the model and writes the HTML page to `file` in one pass over the log. */
export async function reportHtml(path: string, file: string, options: HtmlOptions = {}): Promise<ReportModel> {
  const spool = new ContentSpool(options.contentBudget);
  try {
    const model = await buildReport(path, { ...options, detail: spool });
    const out = createWriteStream(file);
    await writeHtml(model, spool, out);
    out.end();
    await once(out, 'finish');
    return model;
  } finally {
    spool.dispose();
  }
}
