/**
 * The agent's own labels beside the signatures' (issue 10 part 3): each labelled row gets the label and
 * whether the signature's mechanism agrees with it; disagreements are counted per pair, and the distinct
 * shapes of the unclassified calls are listed — a signature drift shows on the first run of a new version.
 */
import { agentLabelMeaning } from '../../src/mechanisms/agent-labels.js';
import type { ExchangeFacts } from '../../src/mechanisms/types.js';
import type { AgentLabelSummary, ExchangeRow, UnclassifiedShape } from './types.js';

export interface LoggedLabel {
  source: string;
  label: string;
}

/** Sets `agentLabel` on the rows that have one (by exchange id: ids are unique in a session); the summary, or undefined without labels. */
export function joinAgentLabels(
  rows: ExchangeRow[],
  labels: ReadonlyMap<string, LoggedLabel>,
): AgentLabelSummary | undefined {
  if (labels.size === 0) return undefined;
  const pairs = new Map<string, { signature: string; agent: string; count: number }>();
  let labelled = 0;
  let agree = 0;
  for (const r of rows) {
    const l = labels.get(r.id);
    if (!l) continue;
    const meaning = agentLabelMeaning(l.source, l.label);
    const agrees = meaning?.agrees.includes(r.mechanism) ?? false;
    r.agentLabel = { source: l.source, label: l.label, ...(meaning ? { mechanism: meaning.mechanism } : {}), agrees };
    labelled++;
    if (agrees) {
      agree++;
      continue;
    }
    const key = `${r.mechanism}\u0000${l.label}`;
    const p = pairs.get(key) ?? { signature: r.mechanism, agent: l.label, count: 0 };
    p.count++;
    pairs.set(key, p);
  }
  return { labelled, agree, disagreements: [...pairs.values()].sort((a, b) => b.count - a.count) };
}

const MAX_SHAPES = 50;
const HEAD = 80;
const MAX_TOOLS = 12;
const head = (s: string) => s.replace(/\s+/g, ' ').trim().slice(0, HEAD);

/**
 * The system prompt's head, for a shape: the first block that is not Claude Code's billing header (native
 * versions send `x-anthropic-billing-header: cc_version=…; cch=…;` as block 0, its hash different per call).
 */
const systemHead = (system: readonly string[]) =>
  head(system.find((b) => !b.startsWith('x-anthropic-billing-header')) ?? '');

/** Distinct shapes of the rows whose mechanism is `unclassified`; `facts[i]` are row i's. */
export function unclassifiedShapes(rows: readonly ExchangeRow[], facts: readonly ExchangeFacts[]): UnclassifiedShape[] {
  const shapes = new Map<string, UnclassifiedShape>();
  for (const r of rows) {
    if (r.mechanism !== 'unclassified') continue;
    const f = facts[r.i]!;
    const tools =
      f.tools.length > MAX_TOOLS ? [...f.tools.slice(0, MAX_TOOLS), `+${f.tools.length - MAX_TOOLS}`] : [...f.tools];
    const shape = { model: f.model, system: systemHead(f.system), tools, firstUser: head(f.firstUserText) };
    const key = [
      shape.model ?? '–',
      shape.system || '(no system)',
      tools.join(',') || '(no tools)',
      shape.firstUser || '(no user text)',
    ].join(' | ');
    const s = shapes.get(key);
    if (s) s.calls++;
    else shapes.set(key, { key, ...shape, calls: 1, first: r.i });
  }
  return [...shapes.values()].sort((a, b) => b.calls - a.calls || a.first - b.first).slice(0, MAX_SHAPES);
}
