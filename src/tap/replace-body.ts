/**
 * Gives a fetch call a new body, and the headers a rewrite set (`set`) — how the rewrite rules' outcome is sent
 * at the fetch layer. The caller's `content-length` is dropped: undici refuses a body whose length disagrees with
 * it (UND_ERR_REQ_CONTENT_LENGTH_MISMATCH, docs/fetch-tap.md#content-length) and computes the right one itself.
 */
export function withBody(
  input: RequestInfo | URL,
  init: RequestInit | undefined,
  body: string,
  set: Record<string, string> = {},
): [RequestInfo | URL, RequestInit] {
  const request = input instanceof Request ? input : undefined;
  const headers = new Headers(init?.headers ?? request?.headers);
  headers.delete('content-length');
  for (const [name, value] of Object.entries(set)) headers.set(name, value);
  const next: RequestInit = { ...init, headers, body };
  if (request) {
    // Carry what the Request held that an init object would otherwise reset.
    next.method ??= request.method;
    next.signal ??= request.signal;
    next.redirect ??= request.redirect;
    return [request.url, next];
  }
  return [input, next];
}
