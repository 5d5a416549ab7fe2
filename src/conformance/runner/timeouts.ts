/**
 * TimeoutConfig (environment.json `timeouts`): defaults by Go field name, scaled by
 * --timeout-scale and overridable per field.
 */
import type { Timeouts } from '../types.ts';

/** Fields that are intervals or pauses, not limits: never scaled. */
const UNSCALED = new Set(['DefaultPollInterval', 'TestIsolation']);

/** The timeouts of a run. `overrides` are in milliseconds by field name. */
export function buildTimeouts(environment: any, scale = 1, overrides: Record<string, number> = {}): Timeouts {
  const out: Timeouts = {};
  for (const f of environment?.timeouts?.fields ?? []) {
    if (typeof f?.field !== 'string' || typeof f?.defaultMs !== 'number') continue;
    out[f.field] = UNSCALED.has(f.field) ? f.defaultMs : Math.round(f.defaultMs * scale);
  }
  for (const [k, v] of Object.entries(overrides)) out[k] = v;
  return out;
}

/** Parses "Field:seconds;Field:seconds" (upstream --timeout-config-overrides) into milliseconds. */
export function parseTimeoutOverrides(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(';').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z]+):(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new Error(`bad timeout override ${JSON.stringify(part)} (expected Field:seconds)`);
    out[m[1]] = Math.round(Number(m[2]) * 1000);
  }
  return out;
}
