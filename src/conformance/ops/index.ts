/**
 * The harness's own op registries: every kubernetes.* helper op (helpers §1) and the generic
 * object ops the interpreter runs with its extended context.
 */
import type { OpHandler } from '../types.ts';
import type { HarnessOpHandler } from '../runner/context.ts';
import { gatewayOps } from './kubernetes-gateway.ts';
import { routeOps } from './kubernetes-routes.ts';
import { miscOps } from './kubernetes-misc.ts';
import { k8sOps } from './k8s.ts';

export { harnessCustomHandlers } from './custom-handlers.ts';

/** kubernetes.* ops by name. */
export const kubernetesOps: Record<string, OpHandler> = { ...gatewayOps, ...routeOps, ...miscOps };

/** k8s.* ops (and the one kubernetes.* op that needs the interpreter's state) by name. */
export const harnessOps: Record<string, HarnessOpHandler> = { ...k8sOps };
