/** The classifier on facts: layered matching, version lines, unclassified with reasons, user signature files. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Classifier, evaluate, holds } from '../../../src/mechanisms/classify.js';
import type { Condition, ExchangeFacts } from '../../../src/mechanisms/types.js';
import { loadSignatureFile, shippedSets } from '../../../src/mechanisms/user-file.js';

const BILLING = 'x-anthropic-billing-header: cc_version=2.1.112.9a6; cc_entrypoint=sdk-cli; cch=00000;';
const IDENTITY = "You are a Claude agent, built on Anthropic's Claude Agent SDK.";

function facts(over: Partial<ExchangeFacts>): ExchangeFacts {
  return {
    method: 'POST',
    endpoint: 'anthropic.messages',
    path: '/v1/messages',
    hasBody: true,
    headers: { 'user-agent': 'claude-cli/2.1.112 (external, sdk-cli)' },
    model: 'claude-sonnet-4-6',
    maxTokens: 32000,
    stream: true,
    system: [BILLING, IDENTITY, 'You are an interactive agent that helps users with software engineering tasks.'],
    tools: ['Agent', 'Bash', 'Read'],
    thinking: true,
    messageCount: 1,
    firstUserText: 'do it',
    lastUserText: 'do it',
    toolResults: false,
    responseTools: [],
    threadPosition: 'first',
    primaryThread: true,
    afterBrokenStream: false,
    ...over,
  };
}

const classifier = new Classifier(shippedSets());

describe('Claude Code 2.1.x shapes', () => {
  test.each([
    ['main-loop', {}],
    [
      'session-title',
      {
        model: 'claude-haiku-4-5',
        tools: [],
        system: [BILLING, 'Generate a concise, sentence-case title (3-7 words) that captures the main topic'],
        outputFormat: { type: 'json_schema', properties: ['title'] },
      },
    ],
    [
      'permission-explainer',
      {
        stream: false,
        maxTokens: 1024,
        tools: ['explain_command'],
        toolChoice: 'explain_command',
        system: [BILLING, 'Analyze shell commands and explain what they do, then assess risk.'],
      },
    ],
    [
      'compaction',
      {
        maxTokens: 20000,
        lastUserText:
          'CRITICAL: Respond with TEXT ONLY. Do NOT call any tools.\n\nYour task is to create a detailed summary of the conversation so far',
      },
    ],
    [
      'post-compaction',
      { lastUserText: 'This session is being continued from a previous conversation that ran out of context.' },
    ],
    ['non-streaming-fallback', { stream: false, afterBrokenStream: true }],
    [
      'sub-agent',
      {
        system: [
          BILLING,
          IDENTITY,
          "You are an agent for Claude Code, Anthropic's official CLI for Claude. Given the user's message",
        ],
        thinking: false,
      },
    ],
    [
      'sub-agent',
      {
        system: [
          `${BILLING} cc_is_subagent=true;`,
          IDENTITY,
          'You are an interactive agent that helps users with software engineering tasks.',
        ],
        headers: { 'user-agent': 'claude-cli/2.1.112 (external, sdk-cli)' },
      },
    ],
    [
      'quota-check',
      { maxTokens: 1, system: [], tools: [], messageCount: 1, firstUserText: 'quota', lastUserText: 'quota' },
    ],
    ['warm-up', { method: 'HEAD', hasBody: false, endpoint: 'custom', path: '/', system: [], tools: [] }],
    ['count-tokens', { endpoint: 'anthropic.count_tokens' }],
  ] as [string, Partial<ExchangeFacts>][])('%s', (mechanism, over) => {
    const c = classifier.classify(facts(over));
    expect(c.mechanism).toBe(mechanism);
    expect(c.agentVersion).toBe('2.1.112');
  });

  test('the version comes from the billing block when the user-agent lacks it', () => {
    const c = classifier.classify(facts({ headers: {} }));
    expect([c.agentVersion, c.mechanism]).toEqual(['2.1.112', 'main-loop']);
  });

  test('a model name is never the evidence: the title stays a title on any model', () => {
    const c = classifier.classify(
      facts({
        model: 'my-small-model',
        tools: [],
        system: [BILLING, 'Generate a concise, sentence-case title (3-7 words)'],
      }),
    );
    expect(c.mechanism).toBe('session-title');
  });
});

describe('unclassified, with reasons', () => {
  test('a Claude Code request that matches no signature says what each candidate lacked', () => {
    const c = classifier.classify(facts({ system: [BILLING, 'Something new the agent started doing.'], tools: [] }));
    expect(c.mechanism).toBe('unclassified');
    expect(c.agent).toBe('claude-code');
    expect(c.reasons.join('\n')).toMatch(
      /claude-code@2\.1\/main-loop: lacks system prompt "You are an interactive agent/,
    );
    expect(c.reasons.join('\n')).toMatch(/claude-code@2\.1\/sub-agent: lacks/);
  });

  test('an unknown version is tried against every line and says so', () => {
    const c = classifier.classify(
      facts({
        headers: { 'user-agent': 'claude-cli/2.2.0 (external, cli)' },
        system: [IDENTITY, 'You are an interactive agent that helps users with software engineering tasks.'],
      }),
    );
    expect(c.mechanism).toBe('main-loop');
    expect(c.reasons[0]).toMatch(/no signatures for claude-code 2\.2\.0/);
  });

  test('a non-model call of an unknown agent is unclassified', () => {
    const c = classifier.classify(
      facts({ method: 'GET', endpoint: 'custom', hasBody: false, headers: {}, system: [], tools: [] }),
    );
    expect(c).toMatchObject({ agent: 'unknown', mechanism: 'unclassified' });
    expect(c.reasons).toEqual(['no signature set recognises this exchange']);
  });
});

describe('generic tool-using agent', () => {
  const generic = (over: Partial<ExchangeFacts>) =>
    classifier.classify(facts({ headers: {}, system: ['You are a careful assistant.'], ...over }));
  test('primary thread: main loop and tool round-trips; other threads: sub-conversations', () => {
    expect(generic({}).mechanism).toBe('main-loop');
    expect(generic({ toolResults: true, threadPosition: 'continues' }).mechanism).toBe('tool-round-trip');
    expect(generic({ primaryThread: false }).mechanism).toBe('sub-conversation');
    expect(generic({ primaryThread: false, spawnedBy: 'delegate' }).signature).toBe('generic/sub-conversation/spawned');
    expect(generic({}).agent).toBe('generic');
  });
});

describe('user signature files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'agenttap-sig-'));
  test('a user set labels what the shipped sets do not know, and wins over them', () => {
    const file = join(dir, 'sigs.json');
    writeFileSync(
      file,
      JSON.stringify({
        sets: [
          {
            agent: 'my-agent',
            label: 'My agent',
            detect: { header: { name: 'x-my-agent' } },
            signatures: [
              {
                id: 'my-agent/triage',
                mechanism: 'triage',
                evidence: 'system starts "Triage"',
                when: { system: { startsWith: 'Triage' } },
              },
            ],
          },
        ],
      }),
    );
    const sets = loadSignatureFile(file);
    const c = new Classifier([...sets, ...shippedSets()]).classify(
      facts({ headers: { 'x-my-agent': '1' }, system: ['Triage the issue.'] }),
    );
    expect(c).toMatchObject({
      agent: 'my-agent',
      mechanism: 'triage',
      signature: 'my-agent/triage',
      reasons: ['system starts "Triage"'],
    });
  });

  test('an invalid file is refused with a stable code, naming the file', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(
      file,
      JSON.stringify({ sets: [{ agent: 'x', label: 'x', detect: { sytem: 'typo' }, signatures: [] }] }),
    );
    expect(() => loadSignatureFile(file)).toThrow(
      expect.objectContaining({ code: 'AGENTTAP_CONFIG_INVALID', message: expect.stringContaining('bad.json') }),
    );
    writeFileSync(
      file,
      JSON.stringify({
        sets: [
          {
            agent: 'x',
            label: 'x',
            detect: {},
            signatures: [{ id: 'a', mechanism: 'a', when: { system: { matches: '(' } } }],
          },
        ],
      }),
    );
    expect(() => loadSignatureFile(file)).toThrow(/not a valid regular expression/);
  });
});

describe('holds: a condition tested without telling why not', () => {
  /** Every condition of the shipped sets, nested ones too. */
  function* conditions(c: Condition): Generator<Condition> {
    yield c;
    for (const x of [...(c.all ?? []), ...(c.any ?? []), ...(c.not ? [c.not] : [])]) yield* conditions(x);
  }
  const all = shippedSets().flatMap((set) => [
    ...conditions(set.detect),
    ...set.signatures.flatMap((s) => [...conditions(s.when)]),
    ...(set.features ?? []).flatMap((f) => [...conditions(f.when)]),
  ]);

  test('is evaluate() finding nothing, for every shipped condition on facts that pass and fail each field', () => {
    const variants: ExchangeFacts[] = [
      facts({}),
      facts({ method: 'HEAD', hasBody: false, system: [], tools: [], messageCount: 0 }),
      facts({ headers: {}, stream: false, thinking: false, threadPosition: 'continues', primaryThread: false }),
      facts({ spawnedBy: 'Agent', toolResults: true, responseTools: ['Bash'], messageCount: 9, maxTokens: 1 }),
      facts({ system: [BILLING, 'You are a helpful AI assistant tasked with summarizing conversations.'] }),
      facts({ lastUserText: 'Your task is to create a detailed summary of the conversation so far.', tools: [] }),
      facts({
        afterBrokenStream: true,
        endpoint: 'anthropic.count_tokens',
        outputFormat: { type: 'json_schema', properties: ['title'] },
      }),
    ];
    let held = 0;
    for (const f of variants)
      for (const c of all) {
        const ok = evaluate(c, f).length === 0;
        expect(holds(c, f), JSON.stringify(c)).toBe(ok);
        if (ok) held++;
      }
    // Both outcomes were tried.
    expect(held).toBeGreaterThan(50);
    expect(held).toBeLessThan(all.length * variants.length - 50);
  });
});
