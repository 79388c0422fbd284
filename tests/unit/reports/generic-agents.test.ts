/**
 * Generic tool-using agents, recorded for real under the loader against the mock: the report finds the main
 * loop, its tool round-trips and sub-conversations from thread structure alone (no agent-specific labels).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startMock, type MockServer } from '../../../src/mock/index.js';
import { buildReport } from '../../../reports/model/build.js';
import { ROOT, runNode } from '../../helpers/run.js';

let mock: MockServer;
beforeAll(async () => {
  mock = await startMock({
    script: (req) => {
      const tools = req.tools.map((t) => t.name);
      if (tools.includes('delegate'))
        return req.turnIndex === 0
          ? { toolUse: { name: 'delegate', input: { task: 'Count the files in src and say how many.' } } }
          : { text: 'Tidied.' };
      if (tools.includes('list_files'))
        return req.turnIndex === 0
          ? { toolUse: { name: 'list_files', input: { path: 'src' } } }
          : { text: 'Two files.' };
      return { text: 'Tidy project session' };
    },
  });
});
afterAll(() => mock.close());

async function record(script: string, env: Record<string, string>) {
  const run = await runNode(script, { env, args: ['List the project.'] });
  expect(run.code, run.stderr).toBe(0);
  return buildReport(run.sessionDir, {
    onWarning: (w) => {
      throw new Error(w);
    },
  });
}

describe('generic agents', () => {
  test('Anthropic SDK tool loop: main loop, then a tool round-trip, one thread', async () => {
    const model = await record(join(ROOT, 'examples', 'anthropic-agent.mjs'), {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'test',
    });
    expect(model.exchanges.map((r) => r.mechanism)).toEqual(['main-loop', 'tool-round-trip']);
    expect(model.exchanges.map((r) => r.agent)).toEqual(['generic', 'generic']);
    expect(model.threads).toHaveLength(1);
    expect(model.exchanges[1]!.parent).toBe(0);
    expect(model.exchanges[1]!.parentMessages).toBe(1);
  });

  test('OpenAI Chat Completions tool loop: the same mechanisms, priced', async () => {
    const model = await record(join(ROOT, 'examples', 'openai-agent.mjs'), {
      OPENAI_BASE_URL: `${mock.url}/v1`,
      OPENAI_API_KEY: 'test',
    });
    expect(model.exchanges.map((r) => `${r.endpoint} ${r.mechanism}`)).toEqual([
      'openai.chat main-loop',
      'openai.chat tool-round-trip',
    ]);
    expect(model.anatomy.systems[0]!.blocks[0]!.preview).toBe(
      'You are a careful assistant. Use the tools to look before you answer.',
    );
    expect(model.totals.unpriced).toBe(0);
    expect(model.totals.cost).toBeGreaterThan(0);
  });

  test('a delegated helper conversation hangs off the tool_use that started it; a side call is apart', async () => {
    const model = await record(join(ROOT, 'tests', 'fixtures', 'logs', 'apps', 'delegating-agent.mjs'), {
      ANTHROPIC_BASE_URL: mock.url,
      ANTHROPIC_API_KEY: 'test',
    });
    expect(model.exchanges.map((r) => r.mechanism)).toEqual([
      'main-loop',
      'sub-conversation',
      'sub-conversation',
      'tool-round-trip',
      'sub-conversation',
    ]);
    const helper = model.threads.find((t) => t.spawnedBy)!;
    expect(helper.exchanges).toEqual([1, 2]);
    expect(helper.spawnedBy).toMatchObject({ exchange: 0, tool: 'delegate' });
    expect(model.exchanges[1]!.signature).toBe('generic/sub-conversation/spawned');
    expect(model.exchanges[4]!.signature).toBe('generic/sub-conversation');
    expect(model.exchanges[4]!.spawnedBy).toBeUndefined();
  });
});
