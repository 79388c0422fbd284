// Whose code a V8 CPU profile's samples ran in: the subject's ('own': by default agenttap's compiled files and the
// loader; `own` names other files, e.g. the minimal tee's), or anything else (the agent, its SDK, undici, Node). A
// sample's leaf frame is followed up its stack through frames that have no owner of their own — V8 builtins and
// natives (no url), Node's JavaScript internals (`node:`, but not `node:internal/deps/`: undici and the like are the
// agent's), and node_modules packages other than the model SDKs (the subject's own dependencies, e.g.
// eventsource-parser) — to the first frame that has one. Samples of "(garbage collector)" and "(program)" belong to no
// one ('none': GC is not in the subject's share), "(idle)" is idle.
// Node's web-stream internals (`node:internal/webstreams/`) reached from an agenttap frame are 'forwarded': on Node,
// agenttap observes the agent's own Response in place (src/tap/body-in-place.ts), so the agent's reads, getReader,
// releaseLock, tee and cancel run Node's code under agenttap's wrappers — work the agent does without agenttap too.
// `forwarded: false` counts them as the subject's (a subject that reads a stream of its own).
import { readFileSync } from 'node:fs';

const AGENT_PACKAGES = /node_modules\/(?:@anthropic-ai|openai|@aws-sdk|@smithy|undici)\//;
const FORWARDED = 'node:internal/webstreams/';

/** agenttap's files: its compiled code and the loader. */
const agenttapFiles = (root) => (path) => path.startsWith(`${root}/dist/`) || path === `${root}/loader`;

/** 'own' | 'other' | undefined (transparent: look at the caller) for a frame's url. */
function owner(url, own) {
  if (url === '') return undefined;
  if (url.startsWith('node:')) return url.startsWith('node:internal/deps/') ? 'other' : undefined;
  const path = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url;
  if (own(path)) return 'own';
  if (path.includes('/node_modules/') && !AGENT_PACKAGES.test(path)) return undefined;
  return 'other';
}

/**
 * Self time (ms) by owner over the profile's samples, those between `from` and `to` (µs, the profile's clock)
 * when given, and the subject's by function (`name url:line`). `weight`: 'samples' counts each sample as one interval
 * (the profiler samples a thread only while it runs, so that is its share of the CPU); 'gaps' weighs each by its
 * gap to the next, which also holds any time the thread waited for a core (its share of the wall time).
 */
export function cpuShare(
  file,
  root,
  { from = -Infinity, to = Infinity, weight = 'gaps', own = agenttapFiles(root), forwarded = true } = {},
) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map();
  const attribute = (id) => {
    if (memo.has(id)) return memo.get(id);
    const n = nodes.get(id);
    const up = parent.get(id);
    let who;
    if (up === undefined) who = 'none';
    else if (n.callFrame.functionName === '(idle)') who = 'idle';
    else if (n.callFrame.functionName.startsWith('(') && n.callFrame.url === '') who = 'none';
    else who = owner(n.callFrame.url, own) ?? attribute(up);
    if (forwarded && who === 'own' && n.callFrame.url.startsWith(FORWARDED)) who = 'forwarded';
    memo.set(id, who);
    return who;
  };
  // The subject's frame a sample is charged to, for the breakdown.
  const chargedTo = (id) => {
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const f = nodes.get(cur).callFrame;
      if (owner(f.url, own) === 'own')
        return `${f.functionName || '(anonymous)'} ${f.url.split('/').slice(-2).join('/')}:${f.lineNumber + 1}`;
    }
    return '?';
  };
  const ms = { own: 0, forwarded: 0, other: 0, none: 0, idle: 0 };
  const byFunction = new Map();
  let t = profile.startTime;
  const interval = (profile.endTime - profile.startTime) / 1000 / Math.max(1, profile.samples.length);
  for (let i = 0; i < profile.samples.length; i++) {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < from || t > to) continue;
    // A sample's time: the gap to the next one, or the profiler's interval.
    const span = weight === 'samples' ? interval : (profile.timeDeltas[i + 1] ?? 0) / 1000;
    const who = attribute(profile.samples[i]);
    ms[who] += span;
    if (who === 'own') {
      const key = chargedTo(profile.samples[i]);
      byFunction.set(key, (byFunction.get(key) ?? 0) + span);
    }
  }
  return { ms, byFunction: [...byFunction].sort((a, b) => b[1] - a[1]) };
}
