// A tool-using agent on the openai SDK: Chat Completions, streamed, with tool calls.
//   OPENAI_BASE_URL=http://127.0.0.1:PORT/v1 OPENAI_API_KEY=test node --import ./loader examples/openai-agent.mjs "task"
import OpenAI from 'openai';
import tools from './lib/tools.cjs';

const client = new OpenAI({ maxRetries: 2 });
const model = process.env.AGENT_MODEL ?? 'gpt-4.1-mini';
const messages = [
  { role: 'system', content: 'You are a careful assistant. Use the tools to look before you answer.' },
  { role: 'user', content: process.argv[2] ?? 'What is in this project?' },
];
for (let turn = 0; turn < 10; turn++) {
  const stream = client.chat.completions.stream({
    model,
    messages,
    tools: tools.openaiTools,
    stream_options: { include_usage: true },
  });
  const completion = await stream.finalChatCompletion();
  const message = completion.choices[0].message;
  messages.push(message);
  if (!message.tool_calls?.length) {
    console.log(message.content);
    break;
  }
  for (const call of message.tool_calls) {
    console.log(`[tool] ${call.function.name} ${call.function.arguments}`);
    messages.push({
      role: 'tool',
      tool_call_id: call.id,
      content: tools.runTool(call.function.name, JSON.parse(call.function.arguments || '{}')),
    });
  }
}
