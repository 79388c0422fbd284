/**
 * Fields the SDKs' helpers add to what they hand the agent that the API never sends (structured-output
 * conveniences). Comparisons between a wire reassembly and an SDK result leave exactly these out.
 */
export function withoutSdkConveniences<T>(value: T): T {
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  // Anthropic MessageStream: `parsed_output`. OpenAI Responses: `output_text` (joined text), `output_parsed`.
  delete copy.parsed_output;
  delete copy.output_text;
  delete copy.output_parsed;
  // OpenAI ChatCompletionStream: `message.parsed`.
  for (const choice of (copy.choices ?? []) as { message?: Record<string, unknown> }[]) delete choice.message?.parsed;
  // OpenAI Responses: `parsed_arguments` on function calls, `parsed` on output_text parts.
  for (const item of (Array.isArray(copy.output) ? copy.output : []) as Record<string, unknown>[]) {
    delete item.parsed_arguments;
    for (const part of (item.content ?? []) as Record<string, unknown>[]) delete part.parsed;
  }
  return copy as T;
}
