// The fault matrix's one small agent: model calls through `fetch` or the real @anthropic-ai/sdk against
// ANTHROPIC_BASE_URL, in the mode argv[2] names. stdout carries only what is the same in every run (texts,
// statuses, errors, digests); each call the agent finished is appended synchronously to $AGENT_OUT as
// `{"requestId": …}` (the response's `request-id` header), so a run killed mid-way still says what it finished
// and the suite can look each one up in the log.
import { createHash } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Anthropic from '@anthropic-ai/sdk';

const base = process.env.ANTHROPIC_BASE_URL;
const mode = process.argv[2] ?? 'fetch';
const calls = Number(process.env.CALLS ?? 1);
const params = (extra = {}) => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 64,
  system: process.env.SYSTEM_BYTES ? `Be brief. ${'s'.repeat(Number(process.env.SYSTEM_BYTES))}` : 'Be brief.',
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});
const out = (line) => process.stdout.write(`${line}\n`);
const finished = (requestId) =>
  process.env.AGENT_OUT && appendFileSync(process.env.AGENT_OUT, `${JSON.stringify({ requestId })}\n`);

/** A streaming Messages call by fetch; the text deltas joined, or what went wrong. */
async function fetchCall(i, { stream = true, signal, onFirstDelta, raw = false } = {}) {
  let res;
  try {
    res = await fetch(`${base}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': `sk-ant-api03-${'k'.repeat(40)}`,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify(params({ stream })),
      signal,
    });
  } catch (err) {
    return `call ${i}: fetch failed: ${err.name}: ${err.cause?.code ?? err.message}`;
  }
  const head = `call ${i}: ${res.status} ${res.headers.get('content-type') ?? '-'}`;
  try {
    if (raw) {
      // Bytes as the agent received them (decoded), digested: the same bytes with and without the tap.
      const hash = createHash('sha256');
      let bytes = 0;
      for await (const chunk of res.body) {
        hash.update(chunk);
        bytes += chunk.length;
      }
      finished(res.headers.get('request-id'));
      return `${head} ${bytes} bytes sha256 ${hash.digest('hex').slice(0, 16)}`;
    }
    if (!stream || res.status !== 200) {
      const body = await res.text();
      finished(res.headers.get('request-id'));
      return `${head} ${body.length} bytes ${/"type":"(\w+_error)"/.exec(body)?.[1] ?? 'ok'}`;
    }
    let text = '';
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      for (let nl = buffer.indexOf('\n'); nl !== -1; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        const delta = /"text_delta","text":("(?:[^"\\]|\\.)*")/.exec(line);
        if (delta) {
          if (text === '') onFirstDelta?.();
          text += JSON.parse(delta[1]);
        }
      }
    }
    finished(res.headers.get('request-id'));
    return `${head} ${JSON.stringify(text)}`;
  } catch (err) {
    return `${head} body failed: ${err.name}: ${err.cause?.code ?? err.message}`;
  }
}

/** A streaming Messages call through the SDK (its own retries, its own SSE parser). */
async function sdkCall(client, i) {
  try {
    const { data, request_id } = await client.messages.create(params({ stream: true })).withResponse();
    let text = '';
    for await (const event of data)
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    finished(request_id);
    return `sdk ${i}: ${JSON.stringify(text)}`;
  } catch (err) {
    if (err.requestID) finished(err.requestID);
    return `sdk ${i}: ${err.constructor.name} ${err.status ?? ''} ${err.error?.error?.type ?? err.message}`;
  }
}

// Peak memory beside $AGENT_OUT, for the large-stream case (a tap that buffers a stream shows here).
process.on(
  'exit',
  () =>
    process.env.AGENT_OUT &&
    writeFileSync(join(dirname(process.env.AGENT_OUT), 'maxrss'), String(process.resourceUsage().maxRSS)),
);

const sdk = () =>
  new Anthropic({ apiKey: `sk-ant-api03-${'k'.repeat(40)}`, maxRetries: Number(process.env.RETRIES ?? 0) });

switch (mode) {
  case 'fetch':
  case 'raw':
    for (let i = 1; i <= calls; i++)
      out(await fetchCall(i, { raw: mode === 'raw', stream: process.env.STREAM !== '0' }));
    break;
  case 'sdk': {
    const client = sdk();
    for (let i = 1; i <= calls; i++) out(await sdkCall(client, i));
    break;
  }
  case 'concurrent': {
    const client = sdk();
    const lines = await Promise.all(Array.from({ length: calls }, (_, i) => sdkCall(client, i + 1)));
    lines.forEach(out);
    break;
  }
  case 'shared-signal': {
    // One AbortSignal for every request, as agents pass their session's signal down: a tap that adds a listener
    // per request and never removes it trips Node's MaxListenersExceededWarning (a stray stderr line).
    const controller = new AbortController();
    let ok = 0;
    let failed;
    for (let i = 0; i < calls; i += 50) {
      const batch = Array.from({ length: Math.min(50, calls - i) }, (_, j) =>
        fetchCall(i + j + 1, { stream: false, signal: controller.signal }),
      );
      for (const line of await Promise.all(batch))
        if (/: 200 /.test(line)) ok++;
        else failed ??= line;
    }
    out(`${ok}/${calls} ok${failed ? `; first failure: ${failed}` : ''}`);
    break;
  }
  case 'interrupt': {
    // One finished call, then a slow stream interrupted by $INTERRUPT (a real signal, sent to itself) once its first
    // delta has arrived: the signal lands while the response is still streaming. With $CALLS > 1, calls 2…$CALLS
    // come back to back before the interrupted one.
    out(await fetchCall(1));
    // $PAUSE_MS: the agent's own work between two calls (a tool run), if any.
    if (process.env.PAUSE_MS) await new Promise((resolve) => setTimeout(resolve, Number(process.env.PAUSE_MS)));
    for (let i = 2; i <= calls; i++) out(await fetchCall(i));
    out(
      await fetchCall(calls + 1, {
        onFirstDelta: () => {
          out('streaming');
          process.kill(process.pid, process.env.INTERRUPT);
        },
      }),
    );
    break;
  }
  case 'exit-after-call':
    out(await fetchCall(1));
    process.exit(0);
    break;
  case 'chatty':
    // A model call, then more output than a pipe holds: with stdout piped into `head -c1`, writes hit EPIPE.
    out(await fetchCall(1));
    for (let i = 0; i < 2000; i++) out(`line ${i} ${'x'.repeat(60)}`);
    break;
  default:
    throw new Error(`unknown mode ${mode}`);
}
