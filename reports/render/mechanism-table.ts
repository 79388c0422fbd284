/** The per-mechanism table of the Markdown and terminal reports: the same cells from the same model. */
import type { MechanismSummary, ReportModel } from '../model/types.js';
import { fmtCost, fmtMs, fmtTokens } from './format.js';

export const HEAD = [
  'mechanism',
  'calls',
  'input',
  'output',
  'cache read',
  'cache write',
  'cost',
  'p50 / p95',
  'TTFT p50 / p95',
];

function cells(
  m:
    | MechanismSummary
    | (Omit<MechanismSummary, 'latency' | 'ttft' | 'models' | 'errors' | 'id'> & {
        latency?: undefined;
        ttft?: undefined;
      }),
): string[] {
  return [
    m.label,
    m.retries ? `${m.calls} +${m.retries} retr.` : String(m.calls),
    fmtTokens(m.usage.input),
    fmtTokens(m.usage.output),
    fmtTokens(m.usage.cacheRead),
    fmtTokens(m.usage.cacheWrite),
    fmtCost(m.cost, m.unpriced),
    m.latency ? `${fmtMs(m.latency.p50)} / ${fmtMs(m.latency.p95)}` : '',
    m.ttft ? `${fmtMs(m.ttft.p50)} / ${fmtMs(m.ttft.p95)}` : '',
  ];
}

export function tableRows(model: ReportModel): string[][] {
  return [
    ...model.mechanisms.map(cells),
    cells({
      label: 'total',
      calls: model.totals.calls,
      retries: model.totals.retries,
      usage: model.totals.usage,
      cost: model.totals.cost,
      unpriced: model.totals.unpriced,
    }),
  ];
}
