/** JSON merge patch (RFC 7386): objects merge recursively, null deletes, anything else replaces. Mutates `target`. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/**
 * The same merge patch without touching `target`: the objects on the patched paths are new, everything
 * the patch does not reach is shared with `target` (which may be frozen, as stored objects are). Values
 * taken from the patch are the patch's own, not copies.
 */
export function mergePatched(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base = target !== null && typeof target === 'object' && !Array.isArray(target) ? (target as Record<string, unknown>) : {};
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) {
    if (v === null) delete out[k];
    else if (k === '__proto__') Object.defineProperty(out, k, { value: mergePatched(Object.hasOwn(base, k) ? base[k] : undefined, v), enumerable: true, writable: true, configurable: true });
    else out[k] = mergePatched(base[k], v);
  }
  return out;
}
