// `npm run demo`: the main job end to end on the built-in defaults. Starts agenttap's mock model API on
// 127.0.0.1, runs the example agents under the loader against it, shows what the session log holds, and
// renders the session's report (HTML next to the log, a summary here).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMock } from '../dist/src/mock/index.js';
import { readExpanded } from '../dist/src/log/read.js';
import { renderTerminal, reportHtml } from '../dist/reports/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const session = `demo-${new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
const sessionDir = join(root, '.agenttap', 'sessions', session);
// The mock plays the model: look at the folder, read one file, answer. Streamed with 20 ms between events.
const mock = await startMock({
  pacingMs: 20,
  script: [
    { toolUse: { name: 'list_files', input: { path: 'examples' } } },
    { toolUse: { name: 'read_file', input: { path: 'examples/lib/tools.cjs' } } },
    {
      text: 'The examples folder holds three small agents (Anthropic ESM and CJS, OpenAI) sharing two read-only file tools.',
    },
  ],
});

// The third run is the first again under the example rules (examples/rules/generic-sdk.json): its calls go to
// Haiku with capped answers and cut file contents, and the report's Rewrites section prices what that saved.
const RULES = 'examples/rules/generic-sdk.json';
const agents = [
  ['examples/anthropic-agent.mjs', 'What is in the examples folder?'],
  ['examples/openai-agent.mjs', 'What is in the examples folder?'],
  ['examples/anthropic-agent.mjs', 'What is in the examples folder?', { AGENTTAP_RULES: RULES }],
];
try {
  for (const [script, task, extra = {}] of agents) {
    const prefix = Object.entries(extra)
      .map(([k, v]) => `${k}=${v} `)
      .join('');
    console.log(`\n$ ${prefix}node --import ./loader ${script} "${task}"`);
    // Asynchronous: the mock answering the agent lives in this process.
    const agent = spawn(process.execPath, ['--import', './loader', script, task], {
      cwd: root,
      stdio: 'inherit',
      timeout: 60_000,
      env: {
        ...process.env,
        ANTHROPIC_BASE_URL: mock.url,
        ANTHROPIC_API_KEY: 'sk-ant-demo-key-not-a-real-one',
        OPENAI_BASE_URL: `${mock.url}/v1`,
        OPENAI_API_KEY: 'sk-demo-key-not-a-real-one',
        AGENTTAP_SESSION: session,
        ...extra,
      },
    });
    const [code, signal] = await once(agent, 'close');
    if (code !== 0) throw new Error(`${script} failed (${code ?? signal})`);
  }
} finally {
  await mock.close();
}

const rows = new Map();
for await (const { event } of readExpanded(sessionDir)) {
  if (event.event === 'exchange.request')
    rows.set(event.exchange, {
      model: event['gen_ai.request.model'],
      endpoint: event.endpoint,
      messages: event.body?.messages?.length ?? event.body?.input?.length,
    });
  if (event.event === 'exchange.end')
    Object.assign(rows.get(event.exchange) ?? {}, {
      ms: Math.round(event.duration_ms),
      ttft: event.ttft_ms && Math.round(event.ttft_ms),
      in: event.usage?.input_tokens,
      out: event.usage?.output_tokens,
      stop: event['gen_ai.response.finish_reasons']?.[0],
    });
}
console.log(`\nagenttap captured ${rows.size} model calls (the mock received ${mock.received.length}):`);
console.table([...rows.values()]);
console.log(`session log: ${relative(process.cwd(), sessionDir)}/`);
console.log(`  plain records for jq: node bin/agenttap.js cat --full ${relative(process.cwd(), sessionDir)} | jq .`);

const html = join(sessionDir, 'report.html');
const model = await reportHtml(sessionDir, html);
console.log(`\n${renderTerminal(model)}`);
console.log(
  `report: ${relative(process.cwd(), html)} (open it in a browser; \`node bin/agenttap.js report ${relative(process.cwd(), sessionDir)}\` makes it again)`,
);
