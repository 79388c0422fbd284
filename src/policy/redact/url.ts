/**
 * URL-specific findings: the userinfo password and the values of secret query/fragment
 * parameters. Works on offsets into the original string, so everything else stays byte-identical
 * (no re-encoding, no reordering) and the placeholder is inserted as-is, unencoded.
 */
import { PRIORITY, type Finding } from './finding.js';
import { SECRET_PARAM_NAMES } from './params.js';

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return name.toLowerCase(); // malformed escapes: compare the raw name
  }
}

/** `a=1&token=xyz` starting at `offset` in the URL → the ranges of secret values. */
function paramFindings(params: string, offset: number, out: Finding[]): void {
  let pos = 0;
  for (const part of params.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0 && eq < part.length - 1 && SECRET_PARAM_NAMES.has(decodeName(part.slice(0, eq)))) {
      out.push({
        start: offset + pos + eq + 1,
        end: offset + pos + part.length,
        type: 'url-param',
        priority: PRIORITY.urlParam,
      });
    }
    pos += part.length + 1;
  }
}

export function urlFindings(url: string): Finding[] {
  const out: Finding[] = [];
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url.length : hash;

  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(url);
  if (scheme) {
    const authStart = scheme[0].length;
    let authEnd = url.slice(authStart).search(/[/?#]/);
    authEnd = authEnd < 0 ? url.length : authStart + authEnd;
    const userinfoEnd = url.lastIndexOf('@', authEnd - 1);
    if (userinfoEnd >= authStart) {
      const colon = url.indexOf(':', authStart);
      if (colon >= 0 && colon + 1 < userinfoEnd) {
        out.push({ start: colon + 1, end: userinfoEnd, type: 'basic-auth', priority: PRIORITY.basicAuth });
      }
    }
  }

  const queryStart = url.indexOf('?');
  if (queryStart >= 0 && queryStart < beforeHash) {
    paramFindings(url.slice(queryStart + 1, beforeHash), queryStart + 1, out);
  }
  // OAuth implicit flow returns `#access_token=…` in the fragment.
  if (hash >= 0 && url.includes('=', hash)) paramFindings(url.slice(hash + 1), hash + 1, out);
  return out;
}
