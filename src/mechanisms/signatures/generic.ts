/**
 * Any tool-using agent (a script on @anthropic-ai/sdk or openai): its mechanisms follow from thread
 * structure alone. The primary thread (the longest one no tool_use started) is the main loop; requests
 * that carry tool results back are its tool round-trips; every other thread is a sub-conversation.
 */
import type { SignatureSet } from '../types.js';

export const GENERIC: SignatureSet = {
  agent: 'generic',
  label: 'Generic tool-using agent',
  detect: { endpoint: ['anthropic.messages', 'openai.chat', 'openai.responses'] },
  features: [
    { id: 'thinking', when: { thinking: true } },
    { id: 'mcp-tools', when: { tool: { startsWith: 'mcp__' } } },
  ],
  signatures: [
    {
      id: 'generic/sub-conversation/spawned',
      mechanism: 'sub-conversation',
      evidence: 'a thread started by a tool_use of another thread',
      when: { spawned: true },
    },
    {
      id: 'generic/tool-round-trip',
      mechanism: 'tool-round-trip',
      evidence: 'primary thread, carrying tool results back',
      when: { all: [{ primaryThread: true }, { toolResults: true }] },
    },
    {
      id: 'generic/main-loop',
      mechanism: 'main-loop',
      evidence: 'primary thread, after a user message',
      when: { all: [{ primaryThread: true }, { toolResults: false }] },
    },
    {
      id: 'generic/sub-conversation',
      mechanism: 'sub-conversation',
      evidence: 'a thread apart from the primary one',
      when: { primaryThread: false },
    },
  ],
};
