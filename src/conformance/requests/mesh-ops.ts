/**
 * The `echo.*` mesh ops (helpers §3): pick a mesh pod, then "exec" the mesh echo client inside it
 * (./mesh-client.ts, connections bound to the pod's IP) and judge the parsed stdout
 * (./mesh-parse.ts), either until 3 consecutive attempts match or once for a weighted batch.
 *
 * The argv is rebuilt from `exp` by the helper's rules rather than copied from `derive.clientArgs`
 * (informative only; a unit test checks that both agree for every step of the corpus).
 */
import { AdminError } from '../../cli/client.ts';
import { StepFailure, type OpHandler, type RunContext, type Step } from '../types.ts';
import { awaitConvergence } from './converge.ts';
import { runMeshClient, type ExecResult } from './mesh-client.ts';
import { compareMeshResponse, parseMeshResponse, parseMeshResponses, type MeshExpected, type MeshResponse } from './mesh-parse.ts';
import { calculateHost, cloneJson, errText, timeoutOf } from './util.ts';

/** The value echo.ConnectToApp* returns (field names as the corpus references them). */
export interface MeshPod {
  Name: string;
  Namespace: string;
  /** status.podIP */
  Address: string;
}

/** The namespace echo.ConnectToApp looks in. */
export const MESH_NAMESPACE = 'gateway-conformance-mesh';

/** ConnectToAppInNamespace: the first Pod matching the selector; fatal on a list error or none. */
export async function connectToApp(ctx: RunContext, selector: string, ns: string): Promise<MeshPod> {
  let pods;
  try {
    pods = await ctx.admin.list('v1', 'Pod', ns, selector);
  } catch (e) {
    throw new StepFailure(`listing Pods in ${ns} with selector ${JSON.stringify(selector)}: ${errText(e)}`);
  }
  const pod = pods[0];
  if (!pod) throw new StepFailure(`no Pod in namespace ${ns} matches ${JSON.stringify(selector)}`);
  return { Name: pod.metadata.name, Namespace: pod.metadata.namespace ?? ns, Address: String(pod.status?.podIP ?? '') };
}

function receiverOf(step: Step): MeshPod {
  const r = step.receiver;
  if (!r || typeof r !== 'object' || typeof r.Name !== 'string' || typeof r.Namespace !== 'string') {
    throw new Error(`harness: ${step.op}: receiver is not a MeshPod value (${JSON.stringify(r)?.slice(0, 120)})`);
  }
  return r as MeshPod;
}

/** The client argv for an expectation (helpers §3), with `--count=N` when count is given. */
export function clientArgs(exp: MeshExpected, count?: number): string[] {
  const req = exp.request ?? {};
  const protocol = (req.protocol || 'http').toLowerCase();
  const host = calculateHost(req.host || 'echo', protocol);
  const argv = ['client', `${protocol}://${host}${req.path ?? ''}`];
  if (req.method && protocol !== 'grpc') argv.push(`--method=${req.method}`);
  for (const [k, v] of Object.entries(req.headers ?? {})) argv.push('-H', `${k}:${v}`);
  if (count !== undefined) argv.push(`--count=${count}`);
  return argv;
}

/** The defaults the helper writes into `exp` before the first attempt (and which then persist). */
export function applyMeshDefaults(exp: MeshExpected): void {
  const req = (exp.request ??= {});
  if (!req.host) req.host = 'echo';
  if (!req.method && (req.protocol ?? '').toLowerCase() !== 'grpc') req.method = 'GET';
  const res = (exp.response ??= {});
  const codes = (res.statusCodes ??= []);
  if (res.statusCode && !codes.includes(res.statusCode)) codes.push(res.statusCode);
  if (codes.length === 0) codes.push(200);
}

/**
 * pods/exec of the client in the pod's `echo` container. Exec into a pod the workloads do not run
 * fails like the API server would; everything else is the client's own result.
 */
export async function execClient(ctx: RunContext, pod: MeshPod, argv: string[]): Promise<ExecResult> {
  const running = ctx.workloads.pods(pod.Namespace).some((p) => p.name === pod.Name);
  if (!running) return { stdout: '', stderr: `pods "${pod.Name}" not found in namespace ${pod.Namespace}`, exitCode: -1 };
  if (!pod.Address) return { stdout: '', stderr: `pod ${pod.Namespace}/${pod.Name} has no IP`, exitCode: -1 };
  return runMeshClient(argv, {
    podIp: pod.Address,
    podNamespace: pod.Namespace,
    timeoutMs: timeoutOf(ctx, 'RequestTimeout'),
    signal: ctx.signal,
    lookupService: async (ns, name) => {
      try {
        return await ctx.admin.get('v1', 'Service', ns, name);
      } catch (e) {
        if (e instanceof AdminError && e.code === 404) return undefined;
        throw e;
      }
    },
  });
}

/** Why an exec counts as failed, or undefined. */
function execFailure(r: ExecResult): string | undefined {
  if (r.exitCode === 0) return undefined;
  const err = r.stderr.trim().split('\n').slice(0, 3).join('; ');
  return `exec failed (exit ${r.exitCode}): ${err || 'no output'}`;
}

const makeRequestAndExpectEventuallyConsistentResponse: OpHandler = async (step, ctx) => {
  const pod = receiverOf(step);
  const exp = cloneJson(step.exp ?? {}) as MeshExpected;
  // The first argv is built before the defaults are written; later attempts see them (helpers §3).
  let argv = clientArgs(exp);
  applyMeshDefaults(exp);
  const what = `mesh request from ${pod.Namespace}/${pod.Name}: ${argv.slice(1).join(' ')}`;
  await awaitConvergence(ctx, what, async () => {
    const r = await execClient(ctx, pod, argv);
    argv = clientArgs(exp);
    const bad = execFailure(r);
    if (bad) return bad;
    const parsed: MeshResponse = parseMeshResponse(r.stdout);
    return compareMeshResponse(exp, parsed);
  });
  return undefined;
};

const requestBatch: OpHandler = async (step, ctx) => {
  const pod = receiverOf(step);
  const count = Number(step.count);
  if (!Number.isInteger(count) || count < 1) throw new Error(`harness: echo.MeshPod.RequestBatch: count must be a positive integer, got ${JSON.stringify(step.count)}`);
  const exp = cloneJson(step.exp ?? {}) as MeshExpected;
  const grpc = (exp.request?.protocol ?? '').toLowerCase() === 'grpc';
  const argv = clientArgs(exp, count);
  const prefix = `failed batch${grpc ? ' (gRPC)' : ''} mesh request`;
  const r = await execClient(ctx, pod, argv);
  const bad = execFailure(r);
  if (bad) throw new Error(`${prefix}: ${bad}`);
  const responses = parseMeshResponses(r.stdout);
  if (responses.length !== count) throw new Error(`${prefix}: expected ${count} responses, parsed ${responses.length}`);
  return responses;
};

/** The echo.* op handlers by op name. */
export const meshOps: Record<string, OpHandler> = {
  'echo.ConnectToApp': async (step, ctx) => connectToApp(ctx, String(step.app ?? ''), MESH_NAMESPACE),
  'echo.ConnectToAppInNamespace': async (step, ctx) => connectToApp(ctx, String(step.app ?? ''), String(step.ns ?? '')),
  'echo.MeshPod.MakeRequestAndExpectEventuallyConsistentResponse': makeRequestAndExpectEventuallyConsistentResponse,
  'echo.MeshPod.RequestBatch': requestBatch,
};
