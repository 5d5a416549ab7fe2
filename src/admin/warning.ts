/**
 * `Warning` response headers (RFC 7234 §5.5) in the form kube-apiserver sends and kubectl prints:
 * `299 - "text"`.
 *
 * Node refuses header characters above U+00FF and writes the rest as UTF-8, so the only encoding that
 * is the same on every path is ASCII: other characters go out as `?`. (kube-apiserver sends raw
 * UTF-8; decodeWarnings reads that too.)
 */

/** Longest warning text sent; longer ones are cut, as kube-apiserver does. */
const MAX_WARNING = 2048;

/** One header value per warning. */
export function warningHeader(warnings: readonly string[]): string[] {
  return warnings.map((w) => {
    const ascii = w.slice(0, MAX_WARNING).replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/[^\u0000-\u007f]/gu, '?');
    return `299 - "${ascii.replace(/["\\]/g, (c) => '\\' + c)}"`;
  });
}

/**
 * The warning texts in a Warning header value, which fetch gives comma-joined when there are several
 * and as latin-1 characters, one per byte (so UTF-8 from a Go server is decoded here).
 */
export function decodeWarnings(header: string | null | undefined): string[] {
  if (!header) return [];
  const out: string[] = [];
  for (const m of header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
    const text = m[1].replace(/\\(.)/g, '$1');
    out.push(/[^\u0000-\u00ff]/.test(text) ? text : Buffer.from(text, 'latin1').toString('utf8'));
  }
  return out;
}
