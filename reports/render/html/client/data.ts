/**
 * The page's data: the report model and the captured content, both inert JSON blocks (page.ts). Content
 * lines are "<kind>\t<key as a JSON string>\t<json>"; only their keys are parsed up front, values on demand.
 */
import type { ExchangeRow, ReportModel } from '../../../model/types.js';
import type { ExchangeDetail } from '../detail.js';

export interface PageData {
  model: ReportModel;
  content(hash: string): unknown;
  detailOf(r: ExchangeRow): ExchangeDetail | undefined;
}

export function readPageData(): PageData {
  const model = JSON.parse(document.getElementById('report-model')!.textContent!) as ReportModel;
  const lines = (document.getElementById('report-content')?.textContent ?? '').split('\n');
  const contentIndex = new Map<string, number>();
  const exchangeIndex = new Map<string, number>();
  lines.forEach((line, n) => {
    const a = line.indexOf('\t');
    const b = line.indexOf('\t', a + 1);
    if (a < 0 || b < 0) return;
    let key: unknown;
    try {
      key = JSON.parse(line.slice(a + 1, b));
    } catch {
      return;
    }
    if (typeof key === 'string') (line.slice(0, a) === 'c' ? contentIndex : exchangeIndex).set(key, n);
  });
  const parsed = (n: number | undefined): unknown => {
    if (n === undefined) return undefined;
    const line = lines[n]!;
    return JSON.parse(line.slice(line.indexOf('\t', line.indexOf('\t') + 1) + 1));
  };
  return {
    model,
    content: (hash) => parsed(contentIndex.get(hash)),
    detailOf: (r) => parsed(exchangeIndex.get(`${r.pid}/${r.id}`)) as ExchangeDetail | undefined,
  };
}
