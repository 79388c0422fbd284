// A synthetic Claude Code 2.1-shaped session of any size, written event by event (never held in memory):
// a main loop with one tool round-trip per turn, a sub-agent every `subEvery` turns, a compaction and a
// restarted thread every `compactEvery` turns. Tool outputs are unique text of `toolBytes` each, so the log
// grows with new content as a real one does. Used by bench/report-memory.mjs, bench/report-browser.mjs and
// tests/browser (5 000 exchanges).
//   node bench/report-generate.mjs <dir> [--turns N] [--tool-bytes B] [--target-bytes T]
import { writeSync } from 'node:fs';
import { LogWriter, reminder, reply, text, toolResult, toolUse } from '../tests/fixtures/logs/log-writer.mjs';

const BILLING = 'x-anthropic-billing-header: cc_version=2.1.112.9a6; cc_entrypoint=sdk-cli; cch=00000;';
const IDENTITY = "You are a Claude agent, built on Anthropic's Claude Agent SDK.";
const MAIN = `You are an interactive agent that helps users with software engineering tasks. ${'Use the tools available to you. '.repeat(800)}`;
const SUB = `You are an agent for Claude Code, Anthropic's official CLI for Claude. Given the user's message, use the tools available to you. ${'Be concise. '.repeat(200)}`;
const tool = (name) => ({
  name,
  description: `${name}: ${'does its job well. '.repeat(40)}`,
  input_schema: { type: 'object', properties: { arg: { type: 'string' } } },
});
const MAIN_TOOLS = [
  'Agent',
  'Bash',
  'Glob',
  'Grep',
  'Read',
  'Edit',
  'Write',
  'NotebookEdit',
  'WebFetch',
  'WebSearch',
  'TodoWrite',
  'Skill',
  'AskUserQuestion',
  'EnterPlanMode',
  'ExitPlanMode',
].map(tool);
const SUB_TOOLS = MAIN_TOOLS.filter(
  (t) => !['Agent', 'AskUserQuestion', 'EnterPlanMode', 'ExitPlanMode'].includes(t.name),
);
const HEADERS = { 'user-agent': 'claude-cli/2.1.112 (external, sdk-cli)', 'anthropic-version': '2023-06-01' };
const WORDS = [
  'alpha',
  'beta',
  'gamma',
  'delta',
  'src',
  'test',
  'const',
  'value',
  'return',
  'module',
  'config',
  'parse',
];

/** Deterministic filler lines: a pool made once, of which each tool output takes a slice (generating is the slow part). */
const POOL = (() => {
  let x = 2654435761;
  const out = [];
  for (let n = 0; n < 4 << 20; ) {
    x = (x * 1103515245 + 12345) >>> 0;
    const line = `${(x % 997).toString().padStart(3, '0')}: ${WORDS[x % WORDS.length]} ${WORDS[(x >>> 8) % WORDS.length]} ${x.toString(36)}`;
    out.push(line);
    n += line.length + 1;
  }
  return out.join('\n');
})();

/** Unique, deterministic filler text of about `bytes` bytes: its own first line, then a slice of the pool. */
function filler(seed, bytes) {
  const head = `output ${seed}\n`;
  const want = Math.max(0, Math.min(bytes - head.length, POOL.length));
  let from = ((seed * 2654435761) >>> 0) % (POOL.length - want + 1);
  from = POOL.lastIndexOf('\n', from) + 1;
  return head + POOL.slice(from, from + want);
}

/**
 * A LogWriter that writes in 4 MiB batches and gives each request's JSON size from its messages' sizes, remembered
 * per message object (stringifying a 10 MB conversation every turn made a 1 GiB log take half an hour).
 */
class FastWriter extends LogWriter {
  pending = [];
  pendingBytes = 0;
  sizes = new WeakMap();

  line(text) {
    const buf = Buffer.from(`${text}\n`);
    this.pending.push(buf);
    this.pendingBytes += buf.length;
    this.bytes += buf.length;
    this.largestLine = Math.max(this.largestLine, buf.length);
    if (this.pendingBytes >= 4 << 20) this.flush();
  }

  flush() {
    if (this.pending.length) writeSync(this.fd, Buffer.concat(this.pending));
    this.pending = [];
    this.pendingBytes = 0;
  }

  exchange(options) {
    return super.exchange({ ...options, bodyBytes: this.bodyBytes(options.body) });
  }

  /** `Buffer.byteLength(JSON.stringify(body))`, its messages sized once each. */
  bodyBytes(body) {
    const messages = body.messages;
    const rest = Buffer.byteLength(JSON.stringify({ ...body, messages: [] }));
    let sum = Math.max(0, messages.length - 1);
    for (const m of messages) {
      let n = this.sizes.get(m);
      if (n === undefined) {
        n = Buffer.byteLength(JSON.stringify(m));
        this.sizes.set(m, n);
      }
      sum += n;
    }
    return rest + sum;
  }

  end(extra) {
    this.flush();
    super.end(extra);
  }
}

export function generateSession(
  dir,
  { turns = 100, toolBytes = 2000, targetBytes = Infinity, subEvery = 10, compactEvery = 50, pid = 9000 } = {},
) {
  const w = new FastWriter(dir, { session: 'generated', pid });
  w.start(['/usr/bin/node', 'cli.js', '-p', 'generated']);
  const system = [BILLING, IDENTITY, MAIN].map((t) => ({ type: 'text', text: t }));
  const subSystem = [BILLING, IDENTITY, SUB].map((t) => ({ type: 'text', text: t }));
  let at = 0;
  let conv = [
    {
      role: 'user',
      content: [
        reminder(
          "As you answer the user's questions, you can use the following context:\n# currentDate\nToday is a good day.",
        ),
        text('Refactor the project, one module per step.'),
      ],
    },
  ];
  let seq = 0;
  const main = (content, usage) => {
    w.exchange({
      at,
      ms: 900,
      ttft: 350,
      headers: HEADERS,
      body: {
        model: 'claude-sonnet-4-6',
        max_tokens: 32000,
        system,
        tools: MAIN_TOOLS,
        messages: conv,
        thinking: { type: 'adaptive' },
        stream: true,
      },
      reply: reply(content),
      usage,
    });
    conv.push({ role: 'assistant', content });
    at += 1000;
  };
  for (let turn = 0; turn < turns && w.bytes < targetBytes; turn++) {
    const id = `toolu_${++seq}`;
    if (turn > 0 && turn % subEvery === 0) {
      const prompt = `Check module ${turn} and report what it exports.`;
      main([toolUse(id, 'Agent', { description: `Check module ${turn}`, prompt, subagent_type: 'general-purpose' })], {
        input_tokens: 5,
        output_tokens: 60,
        cache_read_input_tokens: 20000 + turn * 10,
      });
      const sub = [{ role: 'user', content: [reminder('# currentDate\nToday is a good day.'), text(prompt)] }];
      const sid = `toolu_${++seq}`;
      const r1 = [toolUse(sid, 'Read', { file_path: `src/module-${turn}.ts` })];
      w.exchange({
        at,
        ms: 600,
        ttft: 250,
        headers: HEADERS,
        body: {
          model: 'claude-sonnet-4-6',
          max_tokens: 32000,
          system: subSystem,
          tools: SUB_TOOLS,
          messages: sub,
          stream: true,
        },
        reply: reply(r1),
        usage: { input_tokens: 9000, output_tokens: 30 },
      });
      at += 700;
      sub.push(
        { role: 'assistant', content: r1 },
        { role: 'user', content: [toolResult(sid, filler(seq, toolBytes))] },
      );
      w.exchange({
        at,
        ms: 600,
        ttft: 250,
        headers: HEADERS,
        body: {
          model: 'claude-sonnet-4-6',
          max_tokens: 32000,
          system: subSystem,
          tools: SUB_TOOLS,
          messages: sub,
          stream: true,
        },
        reply: reply([text(`Module ${turn} exports parse().`)]),
        usage: { input_tokens: 9000 + toolBytes / 4, output_tokens: 20 },
      });
      at += 700;
      conv.push({ role: 'user', content: [toolResult(id, [text(`Module ${turn} exports parse().`)])] });
    } else {
      main([toolUse(id, 'Read', { file_path: `src/module-${turn}.ts` })], {
        input_tokens: 5,
        output_tokens: 40,
        cache_read_input_tokens: 20000 + turn * 10,
        cache_creation_input_tokens: toolBytes / 4,
      });
      conv.push({ role: 'user', content: [toolResult(id, filler(seq, toolBytes))] });
    }
    if (turn > 0 && turn % compactEvery === 0) {
      const ask = {
        role: 'user',
        content: [
          text(
            'CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.\n\nYour task is to create a detailed summary of the conversation so far.',
          ),
        ],
      };
      w.exchange({
        at,
        ms: 3000,
        ttft: 800,
        headers: HEADERS,
        body: {
          model: 'claude-sonnet-4-6',
          max_tokens: 20000,
          system,
          tools: MAIN_TOOLS,
          messages: [...conv, ask],
          stream: true,
        },
        reply: reply([text(`<summary>Turn ${turn}: refactoring continues.</summary>`)]),
        usage: { input_tokens: 150000, output_tokens: 500 },
      });
      at += 3100;
      conv = [
        {
          role: 'user',
          content: [
            text(
              `This session is being continued from a previous conversation that ran out of context. The summary below covers the earlier portion of the conversation.\n\nSummary: turn ${turn}.`,
            ),
          ],
        },
      ];
    }
  }
  main([text('Done.')], { input_tokens: 5, output_tokens: 5 });
  w.end();
  return { file: w.file, bytes: w.bytes, exchanges: w.n, largestLine: w.largestLine };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [dir, ...rest] = process.argv.slice(2);
  const opt = (name, dflt) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : dflt;
  };
  const r = generateSession(dir, {
    turns: opt('--turns', 100),
    toolBytes: opt('--tool-bytes', 2000),
    targetBytes: opt('--target-bytes', Infinity),
  });
  process.stdout.write(`${JSON.stringify(r)}\n`);
}
