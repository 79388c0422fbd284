/**
 * Real Node agents that do not call `@anthropic-ai/sdk` themselves, under `agenttap run`, against the mock's default
 * script (call the first tool, then answer): an agent on the Vercel AI SDK (`ai` ToolLoopAgent + `@ai-sdk/anthropic`,
 * fetch straight to the Messages API, streamed) and one on LangChain.js (`createAgent` + `@langchain/openai`, Chat
 * Completions through the openai SDK it bundles); and pi (`@mariozechner/pi-coding-agent`), an open-source coding
 * agent CLI, started by its npm bin name, writing a file with its own `write` tool. Each runs without and with
 * agenttap, each against its own mock.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { startMock, type ReceivedRequest } from '../../src/mock/index.js';
import { AGENTTAP_BIN, wireAndLogBodies } from '../helpers/claude-code.js';
import {
  ROOT,
  allFileText,
  eventsOf,
  runNode,
  scratch,
  sessionEvents,
  spawnBounded,
  type RunResult,
} from '../helpers/run.js';

const AGENTS = join(ROOT, 'tests', 'fixtures', 'agents');
const KEY_FILE = join(ROOT, 'tests', 'fixtures', 'redaction.key');
const ANTHROPIC_KEY = 'sk-ant-api03-node-agent-test-key-000000000000000000000000';
const OPENAI_KEY = 'sk-proj-node-agent-test-key-0000000000000000000000000000';

async function runAgent(
  file: string,
  via: 'plain' | 'run',
): Promise<{ result: RunResult; received: ReceivedRequest[] }> {
  const mock = await startMock();
  try {
    const env = { MOCK_URL: mock.url, ANTHROPIC_API_KEY: ANTHROPIC_KEY, OPENAI_API_KEY: OPENAI_KEY };
    const result =
      via === 'plain'
        ? await runNode(join(AGENTS, file), { loader: false, env })
        : await runNode(AGENTTAP_BIN, { loader: false, args: ['run', '--', 'node', join(AGENTS, file)], env });
    return { result, received: [...mock.received] };
  } finally {
    await mock.close();
  }
}

const agents: { name: string; file: string; path: string; layer?: string; expectText: RegExp }[] = [
  {
    name: 'Vercel AI SDK 6 (ToolLoopAgent, @ai-sdk/anthropic 3)',
    file: 'ai-sdk-agent.mjs',
    path: '/v1/messages',
    layer: 'fetch',
    expectText: /steps: 2; tool calls: /,
  },
  {
    name: 'LangChain.js 1.5 (createAgent, @langchain/openai 1.2)',
    file: 'langchain-agent.mjs',
    path: '/v1/chat/completions',
    expectText: /messages: 4/,
  },
];

describe.each(agents)('$name under agenttap run', ({ file, path, layer, expectText }) => {
  test('same stdout and exit code, one record per model request, bodies as sent, no key in the log', async () => {
    const plain = await runAgent(file, 'plain');
    const run = await runAgent(file, 'run');
    expect(plain.result.code, plain.result.stderr).toBe(0);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.result.stdout).toBe(plain.result.stdout);
    expect(run.result.stdout).toMatch(expectText);

    const modelCalls = run.received.filter((r) => r.path === path);
    expect(modelCalls.length).toBe(2); // tool call, then the answer
    const { wire, logged, layers } = await wireAndLogBodies(run.received, run.result.sessionDir);
    expect(logged).toEqual(wire);
    if (layer) expect(layers).toEqual([layer]);
    const ends = eventsOf(await sessionEvents(run.result.sessionDir), 'exchange.end');
    expect(ends.map((e) => e.outcome)).toEqual(['complete', 'complete']);
    const text = allFileText(run.result.sessionDir);
    expect(text).not.toContain(ANTHROPIC_KEY);
    expect(text).not.toContain(OPENAI_KEY);
  });
});

describe('pi coding agent 0.73 (@mariozechner/pi-coding-agent) under agenttap run', () => {
  const PI = join(ROOT, 'node_modules', '.bin', 'pi');
  const script = (req: { turnIndex: number }) =>
    req.turnIndex === 0
      ? { toolUse: { name: 'write', input: { path: 'hello.txt', content: 'hello from pi\n' } } }
      : { text: 'Wrote hello.txt.' };

  async function runPi(via: 'plain' | 'run') {
    const mock = await startMock({ script });
    try {
      // pi reads its providers from ~/.pi/agent/models.json: the built-in Anthropic provider, pointed at the mock.
      const home = scratch('agenttap-pi-home-');
      mkdirSync(join(home, '.pi', 'agent'), { recursive: true });
      writeFileSync(
        join(home, '.pi', 'agent', 'models.json'),
        JSON.stringify({ providers: { anthropic: { baseUrl: mock.url } } }),
      );
      const cwd = scratch('agenttap-pi-work-');
      const piArgs = ['--offline', '--provider', 'anthropic', '--model', 'claude-sonnet-4-5', '-p', 'Create hello.txt'];
      const env = {
        HOME: home,
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        PI_OFFLINE: '1',
        PI_TELEMETRY: '0',
        AGENTTAP_SESSION: 'pi',
        AGENTTAP_KEY_FILE: KEY_FILE,
      };
      // `pi` is an npm bin link (`#!/usr/bin/env node`): agenttap run has to recognise it as a Node program.
      // stdin closed: in print mode pi merges piped stdin into the prompt and waits for its end.
      const result = await spawnBounded(
        ...((via === 'plain' ? [PI, piArgs] : [process.execPath, [AGENTTAP_BIN, 'run', '--', PI, ...piArgs]]) as [
          string,
          string[],
        ]),
        {
          cwd,
          env: { PATH: [dirname(process.execPath), process.env.PATH].join(delimiter), ...env },
          stdin: 'ignore', // pi waits for stdin to close in print mode
        },
      );
      return { result, received: [...mock.received], cwd };
    } finally {
      await mock.close();
    }
  }

  test('same stdout and exit code, the file written, one record per model request, bodies as sent', async () => {
    const plain = await runPi('plain');
    const run = await runPi('run');
    expect(plain.result.code, plain.result.stderr).toBe(0);
    expect(run.result.code, run.result.stderr).toBe(0);
    expect(run.result.stdout).toBe(plain.result.stdout);
    expect(run.result.stdout).toContain('Wrote hello.txt.');
    expect(readFileSync(join(run.cwd, 'hello.txt'), 'utf8')).toBe('hello from pi\n');
    expect(run.received.filter((r) => r.path === '/v1/messages')).toHaveLength(2);
    const sessionDir = join(run.cwd, '.agenttap', 'sessions', 'pi');
    const { wire, logged } = await wireAndLogBodies(run.received, sessionDir);
    expect(logged).toEqual(wire);
    expect(allFileText(sessionDir)).not.toContain(ANTHROPIC_KEY);
  });
});
