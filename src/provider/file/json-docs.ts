/**
 * A fast path for manifests written as JSON (what tools generate: one JSON object per YAML document).
 * JSON.parse is an order of magnitude faster than building a YAML tree with positions, so a file whose
 * documents are all plain JSON objects is read that way; positions are then worked out only when
 * something needs one (see load.ts). Anything else, including a key repeated in one object (JSON.parse
 * would silently keep the last), answers undefined and takes the YAML path, which reports it exactly.
 */

/** A document separator line: `---` (or the `...` end marker) alone on its line. */
const SEPARATOR = /^(?:---|\.\.\.)[ \t]*$/;

/** The parsed documents of `text` when every non-empty one is a JSON object without repeated keys. */
export function parseJsonDocuments(text: string): unknown[] | undefined {
  const docs: unknown[] = [];
  for (const chunk of splitDocuments(text)) {
    const doc = chunk.trim();
    if (doc === '') continue;
    if (doc[0] !== '{' || doc[doc.length - 1] !== '}' || hasRepeatedKey(doc)) return undefined;
    try {
      docs.push(JSON.parse(doc));
    } catch {
      return undefined;
    }
  }
  return docs;
}

/** The text between separator lines (a directive such as `%YAML` stays in its chunk, where JSON.parse refuses it). */
function splitDocuments(text: string): string[] {
  if (!text.includes('\n---') && !text.includes('\n...') && !text.startsWith('---') && !text.startsWith('...')) return [text];
  const out: string[] = [];
  let start = 0;
  let lineStart = 0;
  while (lineStart <= text.length) {
    let end = text.indexOf('\n', lineStart);
    if (end < 0) end = text.length;
    if (SEPARATOR.test(text.slice(lineStart, end).replace(/\r$/, ''))) {
      out.push(text.slice(start, lineStart));
      start = end + 1;
    }
    lineStart = end + 1;
  }
  out.push(text.slice(start));
  return out;
}

/**
 * True when some object in the JSON text has the same key twice. A linear scan that tracks strings
 * and nesting; keys are compared as written (an escaped and a plain spelling count as different).
 */
export function hasRepeatedKey(json: string): boolean {
  const stack: (Set<string> | null)[] = [];
  let i = 0;
  const n = json.length;
  while (i < n) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < n) {
        const d = json.charCodeAt(j);
        if (d === 0x5c /* \ */) j += 2;
        else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top) {
        let k = j + 1;
        while (k < n && json.charCodeAt(k) <= 0x20) k++;
        if (json.charCodeAt(k) === 0x3a /* : */) {
          const key = json.slice(i + 1, j);
          if (top.has(key)) return true;
          top.add(key);
        }
      }
      i = j + 1;
      continue;
    }
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    i++;
  }
  return false;
}
