// The same kind of agent in CommonJS, non-streaming, reading rate-limit headers through .withResponse():
//   ANTHROPIC_BASE_URL=http://127.0.0.1:PORT ANTHROPIC_API_KEY=test node --import ./loader examples/anthropic-agent.cjs "task"
'use strict';
const Anthropic = require('@anthropic-ai/sdk');
const tools = require('./lib/tools.cjs');

async function main() {
  const client = new Anthropic({ maxRetries: 2 });
  const model = process.env.AGENT_MODEL ?? 'claude-haiku-4-5';
  const messages = [{ role: 'user', content: process.argv[2] ?? 'Which files are here?' }];
  for (let turn = 0; turn < 10; turn++) {
    const { data: reply, response } = await client.messages
      .create({ model, max_tokens: 512, tools: tools.definitions, messages })
      .withResponse();
    console.log(`[status] ${response.status}`);
    messages.push({ role: 'assistant', content: reply.content });
    const calls = reply.content.filter((block) => block.type === 'tool_use');
    if (calls.length === 0) return console.log(reply.content.map((b) => b.text ?? '').join(''));
    messages.push({
      role: 'user',
      content: calls.map((c) => ({ type: 'tool_result', tool_use_id: c.id, content: tools.runTool(c.name, c.input) })),
    });
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
