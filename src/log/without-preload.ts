/** The environment for a worker or child of ours: the agent's, without the preloads that would load agenttap again. */
const PRELOAD_FLAGS = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);

/** NODE_OPTIONS without preloads: a worker applies the process's NODE_OPTIONS again (pino's sanitizeNodeOptions). */
export function withoutPreload(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  if (!env.NODE_OPTIONS) return { ...env };
  const tokens = env.NODE_OPTIONS.match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
  const kept: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const flag = token.split('=')[0]!;
    if (!PRELOAD_FLAGS.has(flag)) kept.push(token);
    else if (!token.includes('=')) i++; // the value is the next token
  }
  const out = { ...env };
  if (kept.length > 0) out.NODE_OPTIONS = kept.join(' ');
  else delete out.NODE_OPTIONS;
  return out;
}
