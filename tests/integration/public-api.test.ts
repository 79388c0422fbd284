/**
 * The public API is what the packed package exports, nothing else: `npm pack` (the `files` list), unpacked into a
 * scratch project's node_modules beside links to its dependencies, imported there by name (`exports` resolution)
 * from a child process and from TypeScript. The entry works (a mock answers, a rule rewrites, a log is read back
 * into a report), and internals stay out of reach.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROOT, scratch, spawnBounded } from '../helpers/run.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
let project: string;
let packed: string[];

beforeAll(() => {
  project = scratch('agenttap-consumer-');
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', project], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  const [{ filename, files }] = JSON.parse(out) as [{ filename: string; files: { path: string }[] }];
  packed = files.map((f) => f.path);
  const home = join(project, 'node_modules', 'agenttap');
  mkdirSync(home, { recursive: true });
  execFileSync('tar', ['-xzf', join(project, filename), '-C', home, '--strip-components=1'], { timeout: 30_000 });
  // What `npm install` would put beside it: the package's dependencies (their own resolve from where they live).
  for (const name of Object.keys(pkg.dependencies)) {
    mkdirSync(join(project, 'node_modules', name, '..'), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), join(project, 'node_modules', name), 'dir');
  }
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
}, 120_000);

const consumer = `
import * as api from 'agenttap';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = { exports: Object.keys(api).sort() };
const mock = await api.startMock();
try {
  const res = await fetch(mock.url + '/v1/messages', { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': 'k', 'anthropic-version': '2023-06-01' }, body: JSON.stringify({ model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }) });
  out.mock = { status: res.status, type: (await res.json()).type };
} finally {
  await mock.close();
}
const engine = api.compileRules(api.RulesFile.parse({ rules: [{ id: 'cheap', match: { model: 'claude-sonnet-*' }, actions: [{ type: 'setModel', to: 'claude-haiku-4-5' }] }] }));
const decision = engine({ provider: 'anthropic', endpoint: 'anthropic.messages', headers: {}, body: { model: 'claude-sonnet-5-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] } });
out.rewrite = decision.rewritten?.body.model;
const dir = mkdtempSync(join(tmpdir(), 'agenttap-consumer-log-'));
const line = (event, extra) => JSON.stringify({ v: api.LOG_VERSION, time: Date.now(), session: 's', pid: 1, ppid: 0, mono: 0, event, ...extra });
writeFileSync(join(dir, '1.ndjson'), line('session.start', { agenttap: 'x', node: 'v20', argv: [], cwd: '/' }) + '\\n');
const events = [];
for await (const { event } of api.readExpanded(dir)) events.push(api.LogEvent.parse(event).event);
out.events = events;
out.report = typeof (await api.buildReport(dir)) === 'object';
for (const internal of ['agenttap/dist/src/tap/fetch.js', 'agenttap/dist/src/loader/activate.js']) {
  try {
    await import(internal);
    out[internal] = 'importable';
  } catch (err) {
    out[internal] = err.code;
  }
}
process.stdout.write(JSON.stringify(out));
`;

describe('public API (the packed package, imported by name)', () => {
  it('the package carries its entry and its types', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'dist/src/index.js',
        'dist/src/index.d.ts',
        'loader',
        'bun',
        'dist/src/loader/index.js',
        'dist/src/bun/preload.js',
        'dist/reports/index.js',
        'dist/reports/render/html/client.bundle.js',
      ]),
    );
    expect(packed.filter((f) => f.startsWith('src/') || f.startsWith('tests/'))).toEqual([]);
  });

  it('exports the mock, the log types and reader, the report builder and the rules engine — and nothing internal', async () => {
    writeFileSync(join(project, 'consumer.mjs'), consumer);
    const run = await spawnBounded(process.execPath, ['consumer.mjs'], {
      cwd: project,
      env: { PATH: process.env.PATH, HOME: project },
      timeoutMs: 30_000,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out.exports).toEqual([
      'AgentTapError',
      'LOG_VERSION',
      'LogEvent',
      'ReportOutputError',
      'RulesFile',
      'buildReport',
      'compileRules',
      'createRulesStep',
      'defaultScript',
      'loadPriceTable',
      'loadRules',
      'loadScriptFile',
      'parseScriptFile',
      'readExpanded',
      'renderMarkdown',
      'renderTerminal',
      'replaySession',
      'reportHtml',
      'sessionFiles',
      'startMock',
      'validateAnthropicRequest',
    ]);
    expect(out.mock).toEqual({ status: 200, type: 'message' });
    expect(out.rewrite).toBe('claude-haiku-4-5');
    expect(out.events).toEqual(['session.start']);
    expect(out.report).toBe(true);
    expect(out['agenttap/dist/src/tap/fetch.js']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
    expect(out['agenttap/dist/src/loader/activate.js']).toBe('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('types: a TypeScript consumer compiles against the exported declarations', async () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      `import { startMock, compileRules, RulesFile, type LogEvent, type MockServer, type ReportModel, type RulesStep } from 'agenttap';
const server: Promise<MockServer> = startMock();
const engine = compileRules(RulesFile.parse({ rules: [] }));
const kinds = (events: LogEvent[]): string[] => events.map((e) => e.event);
const step: RulesStep | undefined = undefined;
const model: ReportModel | undefined = undefined;
export { server, engine, kinds, step, model };
`,
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const run = await spawnBounded(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], {
      cwd: project,
      env: { PATH: process.env.PATH },
      timeoutMs: 60_000,
    });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(readdirSync(project)).not.toContain('consumer.js');
  });
});
