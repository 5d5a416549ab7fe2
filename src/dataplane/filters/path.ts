/** Path replacement shared by URLRewrite and RequestRedirect (ReplaceFullPath / ReplacePrefixMatch). */
import type { IRPathModifier } from '../../ir/types.ts';
import { normalisePrefix } from '../compile/matchers.ts';

/**
 * Replaces the matched prefix of `path` with `replacement` on segment boundaries.
 * Edge cases from the spec: prefix "/foo" replaced by "/" gives "/bar" for "/foo/bar" and "/" for "/foo";
 * by "/xyz" gives "/xyz/bar" and "/xyz". A path that does not carry the prefix is returned unchanged.
 */
export function replacePrefix(path: string, prefix: string, replacement: string): string {
  const p = normalisePrefix(prefix);
  if (!path.startsWith(p)) return path;
  const rest = path.slice(p.length);
  if (rest.length > 0 && rest.charCodeAt(0) !== 47 /* / */) return path; // not a segment boundary
  let out: string;
  if (replacement.endsWith('/') && rest.startsWith('/')) out = replacement + rest.slice(1);
  else out = replacement + rest;
  return out.length === 0 ? '/' : out;
}

/** The path after applying a path modifier. */
export function modifyPath(path: string, m: IRPathModifier): string {
  return m.type === 'ReplaceFullPath' ? m.value : replacePrefix(path, m.prefix, m.value);
}
