/**
 * The report reads `rewrite.applied`: each decision joined to its exchange (before or after its request in the
 * file, keyed by process and exchange id), the savings per rule set and in total, the text renderers' Rewrites
 * table. Expectations come from the fixture's own events (tests/fixtures/logs/rewrites/decisions.ts).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { buildReport } from '../../../reports/model/build.js';
import type { ReportModel, RewriteFigures } from '../../../reports/model/types.js';
import { renderMarkdown } from '../../../reports/render/markdown/index.js';
import { renderTerminal } from '../../../reports/render/terminal/index.js';
import { fixtureFacts, REWRITES, sum, type Decision } from '../../fixtures/logs/rewrites/decisions.js';
import { ROOT, scratch } from '../../helpers/run.js';

const facts = fixtureFacts();
const linked = facts.decisions.filter((d) => facts.requests.has(d.key));
const saving = (ds: Decision[]) =>
  sum(ds.filter((d) => d.state === 'sent' && d.cost).map((d) => d.cost!.before - d.cost!.after));

async function report(path = REWRITES): Promise<{ model: ReportModel; warnings: string[] }> {
  const warnings: string[] = [];
  const model = await buildReport(path, { onWarning: (w) => warnings.push(w) });
  return { model, warnings };
}

describe('the fixture covers the cases', () => {
  test('sent, dry run, rejected, several rules, no request, both orders, a malformed decision', () => {
    const states = new Set(facts.decisions.map((d) => d.state));
    expect([...states].sort()).toEqual(['dry-run', 'rejected', 'sent']);
    expect(facts.decisions.some((d) => d.rules.length > 1 && d.state === 'sent')).toBe(true);
    expect(facts.decisions.length - linked.length).toBeGreaterThan(0);
    expect(linked.some((d) => d.at < facts.requests.get(d.key)!)).toBe(true);
    expect(linked.some((d) => d.at > facts.requests.get(d.key)!)).toBe(true);
    expect(facts.malformed).toBeGreaterThan(0);
    // Exchange ids repeat across processes: the key must carry the pid.
    const ids = [...facts.requests.keys()].map((k) => k.split('/')[1]);
    expect(new Set(ids).size).toBeLessThan(ids.length);
  });
});

describe('model', () => {
  test('each decision marks its own exchange, in either order; the others carry nothing', async () => {
    const { model, warnings } = await report();
    const byKey = new Map(linked.map((d) => [d.key, d]));
    for (const row of model.exchanges) {
      const d = byKey.get(`${row.pid}/${row.id}`);
      if (!d) {
        expect(row.rewrite, `#${row.i}`).toBeUndefined();
        continue;
      }
      expect(row.rewrite, `#${row.i}`).toMatchObject({ rules: d.rules, state: d.state });
      expect(row.rewrite!.tokens && { before: row.rewrite!.tokens.before, after: row.rewrite!.tokens.after }).toEqual(
        d.tokens,
      );
      expect(row.rewrite!.cost).toEqual(d.cost);
      if (d.state === 'rejected')
        expect(row.rewrite!.rejected).toEqual(d.rejected.length ? d.rejected : [expect.any(String)]);
      else expect(row.rewrite!.rejected).toBeUndefined();
    }
    expect(model.exchanges.filter((r) => r.rewrite)).toHaveLength(linked.length);
    expect(warnings.filter((w) => /rewrite\.applied/.test(w))).toHaveLength(facts.malformed);
    expect(model.session.unknownEvents).not.toHaveProperty('rewrite.applied');
  });

  test('totals: every decision once; the groups add up to them; saving = Σ(before − after) of the sent ones', async () => {
    const r = (await report()).model.rewrites!;
    const t = r.totals;
    expect(t.calls).toBe(facts.decisions.length);
    for (const s of ['sent', 'dry-run', 'rejected'] as const)
      expect(t[s === 'dry-run' ? 'dryRun' : s]).toBe(facts.decisions.filter((d) => d.state === s).length);
    expect(r.unlinked).toBe(facts.decisions.length - linked.length);
    // One group per rule set; each decision in exactly one.
    expect(r.groups.map((g) => g.rules).sort()).toEqual(
      [...new Set(facts.decisions.map((d) => d.rules.join('+')))].sort(),
    );
    const paths: ((f: RewriteFigures) => number)[] = [
      (f) => f.calls,
      (f) => f.sent,
      (f) => f.dryRun,
      (f) => f.rejected,
      (f) => f.saved.cost.before,
      (f) => f.saved.cost.after,
      (f) => f.saved.tokens.before,
      (f) => f.wouldSave.cost.before,
      (f) => f.actual.cost,
      (f) => f.actual.original,
    ];
    for (const get of paths) expect(sum(r.groups.map(get))).toBeCloseTo(get(t), 10);
    expect(t.saving.usd).toBeCloseTo(saving(facts.decisions), 10);
    expect(t.saving.pct).toBeCloseTo(
      (100 * t.saving.usd) /
        sum(facts.decisions.filter((d) => d.state === 'sent' && d.cost).map((d) => d.cost!.before)),
      10,
    );
    const dry = facts.decisions.filter((d) => d.state === 'dry-run' && d.cost);
    expect(t.wouldSave.cost.before - t.wouldSave.cost.after).toBeCloseTo(
      sum(dry.map((d) => d.cost!.before - d.cost!.after)),
      10,
    );
    // A multi-rule exchange counts under each rule, once in the totals.
    expect(sum(r.rules.map((x) => x.calls))).toBe(sum(facts.decisions.map((d) => d.rules.length)));
    expect(sum(r.rules.map((x) => x.calls))).toBeGreaterThan(t.calls);
    for (const x of r.rules) expect(x.calls).toBe(facts.decisions.filter((d) => d.rules.includes(x.rule)).length);
  });

  test('actual cost of the sent rewrites from their rows; the original estimated as actual + (before − after)', async () => {
    const { model } = await report();
    const sent = model.exchanges.filter((r) => r.rewrite?.state === 'sent' && r.rewrite.cost && r.cost !== undefined);
    expect(sent.length).toBeGreaterThan(0);
    const a = model.rewrites!.totals.actual;
    expect(a.calls).toBe(sent.length);
    expect(a.cost).toBeCloseTo(sum(sent.map((r) => r.cost!)), 10);
    expect(a.original - a.cost).toBeCloseTo(saving(linked), 10);
    // The unlinked decision's saving is in the estimate, not in the actual figures.
    expect(model.rewrites!.totals.saving.usd).toBeGreaterThan(a.original - a.cost);
  });

  test('refusal reasons grouped and counted', async () => {
    const r = (await report()).model.rewrites!;
    const counts = new Map<string, number>();
    for (const d of facts.decisions) for (const x of d.rejected) counts.set(x, (counts.get(x) ?? 0) + 1);
    expect(new Map(r.rejections.map((x) => [x.reason, x.count]))).toEqual(counts);
    expect(r.rejections.map((x) => x.count)).toEqual([...r.rejections.map((x) => x.count)].sort((a, b) => b - a));
    expect(Math.max(...counts.values())).toBeGreaterThan(1);
  });

  test('a log without decisions has no rewrites section and no marked rows', async () => {
    const { model } = await report(join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0'));
    expect(model.rewrites).toBeUndefined();
    expect(model.exchanges.some((r) => r.rewrite)).toBe(false);
  });
});

/** A one-process log: the given decisions, then `exchanges` plain exchanges ex-1, ex-2, … */
function tinyLog(decisions: Record<string, unknown>[], exchanges = 1): string {
  const dir = join(scratch('agenttap-rw-'), 's');
  mkdirSync(dir, { recursive: true });
  let mono = 0;
  const ev = (event: string, body: Record<string, unknown>) =>
    JSON.stringify({
      v: 1,
      time: 1751364000000 + mono,
      mono: mono++,
      session: 'tiny',
      pid: 9,
      ppid: 1,
      event,
      ...body,
    });
  const lines = decisions.map((d) => ev('rewrite.applied', d));
  for (let k = 1; k <= exchanges; k++) {
    const exchange = `ex-${k}`;
    lines.push(
      ev('exchange.request', {
        exchange,
        layer: 'fetch',
        endpoint: 'anthropic.messages',
        'gen_ai.provider.name': 'anthropic',
        'gen_ai.request.model': 'claude-haiku-4-5',
        'url.full': 'https://api.anthropic.com/v1/messages',
        stream: false,
        headers: {},
        body: { model: 'claude-haiku-4-5', max_tokens: 64, messages: [{ role: 'user', content: `Hi ${k}` }] },
      }),
      ev('exchange.end', {
        exchange,
        outcome: 'complete',
        duration_ms: 100,
        usage: { input_tokens: 100, output_tokens: 10 },
      }),
    );
  }
  writeFileSync(join(dir, '9.ndjson'), `${lines.join('\n')}\n`);
  return dir;
}

describe('tolerance', () => {
  test('malformed fields are dropped, malformed decisions skipped with a warning, a second decision ignored', async () => {
    const dir = tinyLog(
      [
        {
          exchange: 'ex-1',
          dry_run: false,
          sent: true,
          rules: [{ rule: 'a', actions: 'x' }, { nope: 1 }],
          change: { model: ['m1', 'm2'], deep: { x: 1 }, chars: [1, 2, 3], thinking: 'removed' },
          tokens: { before: 10 },
          cost: { before: 2, after: 1 },
          cache: { before: { read: 1 } },
          rejected: 'no',
        },
        { exchange: 'ex-1', dry_run: false, sent: true, rules: [{ rule: 'b', actions: [] }] },
        { exchange: 'ex-2', dry_run: 'yes', sent: false, rules: [{ rule: 'c', actions: [] }] },
        { exchange: 7, dry_run: false, sent: true, rules: [{ rule: 'd', actions: [] }] },
        { exchange: 'ex-2', dry_run: false, sent: false, rules: [{ rule: 'e', actions: [] }] },
      ],
      2,
    );
    const { model, warnings } = await report(dir);
    expect(warnings).toHaveLength(3);
    expect(model.exchanges[0]!.rewrite).toEqual({
      rules: ['a'],
      actions: [[]],
      state: 'sent',
      change: { model: ['m1', 'm2'], thinking: 'removed' },
      cost: { before: 2, after: 1 },
    });
    // Not sent, not a dry run, no reason: refused, and says it has no reason.
    expect(model.exchanges[1]!.rewrite).toMatchObject({
      rules: ['e'],
      state: 'rejected',
      rejected: [expect.stringMatching(/no reason/)],
    });
    expect(model.rewrites!.totals.calls).toBe(2);
  });

  test('captured rule ids and reasons cannot become Markdown or terminal control sequences', async () => {
    const evil = '<img src=x onerror=alert(1)>|x\u001b[2J';
    const dir = tinyLog([
      {
        exchange: 'ex-1',
        dry_run: false,
        sent: false,
        rules: [{ rule: evil, actions: [] }],
        rejected: [`${evil} failed`],
      },
    ]);
    const { model } = await report(dir);
    const md = renderMarkdown(model);
    expect(md).not.toMatch(/(^|[^\\])<img\b/m);
    const row = md.split('\n').find((l) => l.startsWith('| \\<img'))!;
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(
      md
        .split('\n')
        .find((l) => l.startsWith('| rules |'))!
        .split('|').length - 2,
    );
    expect(renderTerminal(model)).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe('renderers', () => {
  test('Markdown: a Rewrites table, a row per rule set and a total; the saving as in the model', async () => {
    const { model } = await report();
    const md = renderMarkdown(model);
    const lines = md.split('\n');
    const head = lines.findIndex((l) => l.startsWith('| rules |'));
    expect(lines.slice(0, head).includes('### Rewrites')).toBe(true);
    const rows = [];
    for (let k = head + 2; lines[k]?.startsWith('|'); k++)
      rows.push(lines[k]!.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '')));
    expect(rows).toHaveLength(model.rewrites!.groups.length + 1);
    expect(rows.map((r) => r[0]!.replace(/\\/g, ''))).toEqual([...model.rewrites!.groups.map((g) => g.rules), 'total']);
    const col = (name: string) => lines[head]!.split(' | ').findIndex((c) => c.replace(/^\| /, '') === name);
    expect(rows.at(-1)![col('saved')]).toBe(`$${model.rewrites!.totals.saving.usd.toFixed(4)}`);
    expect(rows.at(-1)![col('calls')]).toBe(String(facts.decisions.length));
    for (const x of model.rewrites!.rejections) expect(md).toContain(`${x.count}× `);
    expect(
      renderMarkdown((await report(join(ROOT, 'tests', 'fixtures', 'logs', 'claude-code-1.0'))).model),
    ).not.toContain('Rewrites');
  });

  test('terminal: a compact, aligned Rewrites table', async () => {
    const { model } = await report();
    const out = renderTerminal(model).split('\n');
    const start = out.findIndex((l) => l.startsWith('rewrites: '));
    expect(start).toBeGreaterThan(0);
    const table = [];
    for (let k = start + 1; out[k] && !out[k]!.startsWith('rejected') && !/^\d+ decision/.test(out[k]!); k++)
      table.push(out[k]!);
    // Head, rule, a row per rule set, rule, total.
    expect(table).toHaveLength(model.rewrites!.groups.length + 4);
    expect(new Set(table.map((l) => l.length)).size).toBe(1);
    expect(table[0]!.length).toBeLessThanOrEqual(120);
    expect(table.at(-1)).toMatch(new RegExp(`^total\\s+${facts.decisions.length}\\s`));
    // The whole rewrites block stays short.
    expect(
      out.slice(start).filter((l) => l && !l.startsWith('threads:') && !l.startsWith('reader warnings')).length,
    ).toBeLessThanOrEqual(model.rewrites!.groups.length + 7);
  });

  test("agenttap report --json carries the rows' rewrites and the summary", () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'agenttap.js'), 'report', REWRITES, '--json', '-'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout) as ReportModel;
    expect(json.exchanges.filter((x) => x.rewrite)).toHaveLength(linked.length);
    expect(json.rewrites!.totals.calls).toBe(facts.decisions.length);
  });
});
