/**
 * Weighted backend choice and per-backend endpoint round-robin, compiled once per IR version.
 * The mutable cursors live in the compiled version: a new IR version starts fresh, which is harmless.
 */
import type { IRBackend, IREndpoint } from '../../ir/types.ts';

/** A backend ready to serve: its IR, its endpoints and a round-robin cursor over them. */
export class CompiledBackend {
  readonly ir: IRBackend;
  /** Position in the route's backend list (index into CompiledRoute.backendPlans). */
  readonly index: number;
  readonly endpoints: readonly IREndpoint[];
  private cursor = 0;

  constructor(ir: IRBackend, index = 0) {
    this.ir = ir;
    this.index = index;
    this.endpoints = ir.endpoints;
  }

  /** The next endpoint in round-robin order, or undefined when the backend has none (→ 503). */
  nextEndpoint(): IREndpoint | undefined {
    const n = this.endpoints.length;
    if (n === 0) return undefined;
    const ep = this.endpoints[this.cursor];
    this.cursor = this.cursor + 1 === n ? 0 : this.cursor + 1;
    return ep;
  }
}

/** The tables of pickers that never run the weighted loop (shared: they are never written). */
const NO_WEIGHTS = new Int32Array(0);
const NO_SCORES = new Float64Array(0);

/**
 * Smooth weighted round-robin (the nginx algorithm): each pick adds every weight to its running score,
 * takes the highest score and subtracts the total from it. Over `total` picks each backend is chosen
 * exactly `weight` times, interleaved rather than in bursts. Weight 0 is never chosen.
 * Cost is O(backends) per pick; rules rarely have more than a handful of backends.
 */
export class WeightedPicker {
  readonly backends: readonly CompiledBackend[];
  /** Per-backend weights and running scores; empty when at most one backend can be picked (no loop then). */
  private readonly weights: Int32Array;
  private readonly scores: Float64Array;
  private readonly total: number;
  /** Index of the only positive-weight backend, or -1: skips the loop for the common single-backend case. */
  private readonly single: number;

  constructor(backends: readonly IRBackend[]) {
    this.backends = backends.map((b, i) => new CompiledBackend(b, i));
    const weights = backends.map((b) => (Number.isFinite(b.weight) && b.weight > 0 ? Math.floor(b.weight) : 0));
    let total = 0;
    let positive = 0;
    let last = -1;
    weights.forEach((w, i) => {
      total += w;
      if (w > 0) {
        positive++;
        last = i;
      }
    });
    this.total = total;
    this.single = positive === 1 ? last : -1;
    // Typed arrays cost a few hundred bytes each: at thousands of routes, most with one backend, only
    // the pickers that run the weighted loop get them.
    const loop = positive > 1;
    this.weights = loop ? Int32Array.from(weights) : NO_WEIGHTS;
    this.scores = loop ? new Float64Array(backends.length) : NO_SCORES;
  }

  /** Whether any backend can be chosen; false when the list is empty or every weight is 0 (→ 500). */
  get pickable(): boolean {
    return this.total > 0;
  }

  /** The chosen backend, or undefined when nothing is pickable. */
  pick(): CompiledBackend | undefined {
    if (this.single >= 0) return this.backends[this.single];
    if (this.total === 0) return undefined;
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < this.weights.length; i++) {
      const w = this.weights[i];
      if (w === 0) continue;
      const s = this.scores[i] + w;
      this.scores[i] = s;
      if (s > bestScore) {
        bestScore = s;
        best = i;
      }
    }
    this.scores[best] -= this.total;
    return this.backends[best];
  }
}
