/**
 * Route status reuse between translations. A route's status is a function of the route object (its
 * stored status and generation), the conditions the translator decided per parentRef, the controller
 * name, and the clock, which only matters when a condition changed (lastTransitionTime = now). When all
 * of these are the same as last time, the status computed last time is returned, as the same object:
 * the status writer then knows it already compared it against that very route object.
 */
import { keyOf, type K8sObject } from '../api/object.ts';
import type { StatusUpdate } from '../translator/types.ts';
import type { DraftCondition } from './conditions.ts';
import type { RouteParentReport, RouteReport } from './report.ts';
import { sameRef, type UpdateEnv } from './updates.ts';

/** What one route's status was computed from, and the result. */
interface Entry {
  readonly controllerName: string;
  /** The report's own parent entries (refs and drafted conditions), not copies: reports are not changed once statuses are made. */
  readonly parents: readonly RouteParentReport[];
  readonly now: string;
  /** Some condition took its lastTransitionTime from `now`: the status holds only at that time. */
  readonly usedNow: boolean;
  /** The result: key and status (the status object is what the writer recognises). */
  readonly update: StatusUpdate;
}

/** Keeps the last route statuses of one translator, by route object identity. */
export class RouteStatusMemo {
  #byObj = new WeakMap<K8sObject, Entry>();

  /** The status update of `r`: the previous one when its inputs are unchanged, else one with `compute(r, env)`. */
  update(r: RouteReport, env: UpdateEnv, compute: (r: RouteReport, env: UpdateEnv) => Record<string, unknown>): StatusUpdate {
    const e = this.#byObj.get(r.obj);
    if (e && sameInputs(e, r, env)) return e.update;
    const status = compute(r, env);
    const update = { key: keyOf(r.obj), status };
    this.#byObj.set(r.obj, {
      update,
      controllerName: env.controllerName,
      parents: r.parents,
      now: env.now,
      usedNow: usesNow(status, env.now),
    });
    return update;
  }
}

function sameInputs(e: Entry, r: RouteReport, env: UpdateEnv): boolean {
  if (e.controllerName !== env.controllerName || (e.usedNow && e.now !== env.now)) return false;
  if (e.parents === r.parents) return true;
  if (e.parents.length !== r.parents.length) return false;
  for (let i = 0; i < e.parents.length; i++) {
    const p = r.parents[i];
    if (!sameRef(e.parents[i].parentRef, p.parentRef) || !sameDrafts(e.parents[i].conditions, p.conditions)) return false;
  }
  return true;
}

function sameDrafts(a: readonly DraftCondition[], b: readonly DraftCondition[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.type !== y.type || x.status !== y.status || x.reason !== y.reason || x.message !== y.message) return false;
  }
  return true;
}

/** True when any condition of our parent entries has lastTransitionTime = now (conservative: a kept time equal to now counts). */
function usesNow(status: Record<string, unknown>, now: string): boolean {
  const parents = Array.isArray(status.parents) ? status.parents : [];
  return parents.some((p: any) => Array.isArray(p?.conditions) && p.conditions.some((c: any) => c?.lastTransitionTime === now));
}
