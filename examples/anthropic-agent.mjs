// A small tool-using agent on @anthropic-ai/sdk (ESM, streaming). Try it under the loader:
//   ANTHROPIC_BASE_URL=http://127.0.0.1:PORT ANTHROPIC_API_KEY=test node --import ./loader examples/anthropic-agent.mjs "What is in this project?"
import Anthropic from '@anthropic-ai/sdk';
import tools from './lib/tools.cjs';

const client = new Anthropic({ maxRetries: 2 });
const model = process.env.AGENT_MODEL ?? 'claude-sonnet-5-5';
const task = process.argv[2] ?? 'Look around this project and tell me what it is.';

const messages = [{ role: 'user', content: task }];
for (let turn = 0; turn < 10; turn++) {
  const reply = await client.messages
    .stream({
      model,
      max_tokens: 1024,
      system: 'You are a careful assistant. Use the tools to look before you answer.',
      tools: tools.definitions,
      messages,
    })
    .finalMessage();
  messages.push({ role: 'assistant', content: reply.content });
  const calls = reply.content.filter((block) => block.type === 'tool_use');
  if (reply.stop_reason !== 'tool_use' || calls.length === 0) {
    console.log(
      reply.content
        .filter((b) => b.type === 'text')
        .map((b) => b.text)
        .join('\n'),
    );
    break;
  }
  for (const call of calls) console.log(`[tool] ${call.name} ${JSON.stringify(call.input)}`);
  messages.push({
    role: 'user',
    content: calls.map((call) => ({
      type: 'tool_result',
      tool_use_id: call.id,
      content: tools.runTool(call.name, call.input),
    })),
  });
}
