/**
 * `--export-prompts <dir>`: system prompt blocks, tool lists and reminders as files (0600; the CLI makes the
 * folder 0700), each system prompt and tool list once, by hash.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../../../src/fs/make-dir.js';
import type { ReadSubscriber, RequestRead } from '../../read/subscriber.js';
import { ReportOutputError } from '../output-error.js';

export class PromptExport implements ReadSubscriber {
  constructor(private readonly dir: string) {}

  request(r: RequestRead): void {
    const { draft: d } = r;
    if (r.system?.first) {
      const { hash } = r.system;
      r.interned.systems.get(hash)!.texts.forEach((t, k) => {
        this.write(`system-${hash.slice(0, 12)}-block-${k}.txt`, t);
      });
    }
    if (r.tools?.first) this.write(`tools-${r.tools.hash.slice(0, 12)}.json`, JSON.stringify(r.tools.list, null, 2));
    r.reminders.forEach((x, k) => {
      this.write(`reminder-${d.pid}-${d.id}-${k + 1}.txt`, x.text);
    });
  }

  private write(name: string, text: string): void {
    // Private like the report: these are the session's prompts. An existing file keeps its mode (re-export).
    const file = join(this.dir, name.replace(/[^\w.@-]+/g, '_'));
    try {
      writeFileSync(file, text, { mode: PRIVATE_FILE_MODE });
    } catch (err) {
      throw new ReportOutputError('export', file, err);
    }
  }
}
