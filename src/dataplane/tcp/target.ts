/**
 * One L4 route compiled for serving: its weighted backends (the same smooth weighted round-robin as
 * HTTP routes) and, per backend, round-robin over endpoints. Each call to `next` is one new connection
 * (or one new UDP session): the unit of weight for TCPRoute, TLSRoute and UDPRoute.
 */
import type { IRBackend, IREndpoint, IRL4Route } from '../../ir/types.ts';
import { WeightedPicker } from '../compile/backends.ts';

/** Where new connections of one route go. Holds cursors, so one instance per IR version. */
export class L4Target {
  readonly id: string;
  private readonly picker: WeightedPicker;

  constructor(route: IRL4Route) {
    this.id = route.id;
    this.picker = new WeightedPicker(route.backends);
  }

  /**
   * The endpoint for a new connection, or why there is none: the chosen backend is invalid (bad
   * reference), has no ready endpoint, or every weight is 0. The caller refuses the connection, which
   * keeps an invalid backend's share of connections failing, as the specification requires.
   */
  next(): { readonly endpoint: IREndpoint; readonly backend: IRBackend } | { readonly refused: string } {
    const b = this.picker.pick();
    if (b === undefined) return { refused: `route ${this.id} has no backend with a positive weight` };
    if (b.ir.invalid) return { refused: `route ${this.id}: backend ${b.ir.name}: ${b.ir.invalid.reason}` };
    const endpoint = b.nextEndpoint();
    return endpoint ? { endpoint, backend: b.ir } : { refused: `route ${this.id}: backend ${b.ir.name} has no ready endpoint` };
  }
}
