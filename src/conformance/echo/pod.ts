/**
 * One emulated backend pod: given a container's image, args, resolved environment and mounted files,
 * run what that container would run (echo-contract §1). echo-basic picks its mode from the
 * environment (GRPC_ECHO_SERVER, then TCP_ECHO_SERVER, then UDP_ECHO_SERVER, else HTTP) and reads
 * ports and certificate paths from it, exactly like the real binary; the coredns image runs the
 * DNS stand-in with its Corefile.
 */
import { identityFromEnv } from './go-compat.ts';
import { startHttpEcho, type ServerTls } from './http-server.ts';
import { startGrpcEcho } from './grpc-echo.ts';
import { startTcpEcho } from './tcp-echo.ts';
import { startUdpEcho } from './udp-echo.ts';
import { parseCorefile, startDnsServer } from './dns.ts';
import { startMeshEcho } from './mesh-echo.ts';

/** What a pod runs. `mesh` is echo-advanced: the mesh echo server of ./mesh-echo.ts. */
export type EchoMode = 'http' | 'grpc' | 'tcp' | 'udp' | 'dns' | 'mesh';

/** How to start a pod. */
export interface EchoPodOptions {
  /** The pod's own address (e.g. 127.20.0.7); ports come from env like the real image. */
  ip: string;
  /** Container image; decides between echo-basic, echo-advanced and coredns. */
  image: string;
  args?: string[];
  /** The container environment, already resolved (POD_NAME, NAMESPACE, TLS_SERVER_CERT, ...). */
  env: Record<string, string>;
  /** Mounted files by absolute path (Secret / ConfigMap volumes). */
  files?: Record<string, string>;
  /** The pod's stdout, one line per call. */
  log(line: string): void;
}

/** A running pod. */
export interface EchoPod {
  mode: EchoMode;
  /** Bound ports by role (http, h2c, https, grpc, grpcTls, tcp, tls, udp, dns). */
  ports: Record<string, number>;
  stop(): Promise<void>;
}

/** The mode a container runs, from its image and environment. */
export function echoModeOf(image: string, env: Record<string, string>): EchoMode {
  if (/coredns/.test(image)) return 'dns';
  if (/echo-advanced/.test(image)) return 'mesh';
  if (env.GRPC_ECHO_SERVER) return 'grpc';
  if (env.TCP_ECHO_SERVER) return 'tcp';
  if (env.UDP_ECHO_SERVER) return 'udp';
  return 'http';
}

/** Reads a mounted file named by an environment variable; throws like a failing container would. */
function readFileEnv(opts: EchoPodOptions, variable: string): string | undefined {
  const path = opts.env[variable];
  if (!path) return undefined;
  const content = opts.files?.[path];
  if (content === undefined) throw new Error(`${variable}: open ${path}: no such file or directory`);
  return content;
}

/** Server TLS from a cert variable and a key variable, when both are set. */
function serverTls(opts: EchoPodOptions, keyVar: string, caVar?: string): ServerTls | undefined {
  if (!opts.env.TLS_SERVER_CERT || !opts.env[keyVar]) return undefined;
  const cert = readFileEnv(opts, 'TLS_SERVER_CERT')!;
  const key = readFileEnv(opts, keyVar)!;
  const clientCa = caVar ? readFileEnv(opts, caVar) : undefined;
  return { cert, key, ...(clientCa ? { clientCa } : {}) };
}

const envOr = (env: Record<string, string>, name: string, dflt: string) => env[name] || dflt;

/** Starts a pod; rejects (with the reason) when it cannot start, e.g. a missing file or a busy port. */
export async function startEchoPod(opts: EchoPodOptions): Promise<EchoPod> {
  const env = opts.env;
  const mode = echoModeOf(opts.image, env);
  const identity = identityFromEnv(env);
  const log = opts.log;
  switch (mode) {
    case 'http': {
      const httpPort = envOr(env, 'HTTP_PORT', '3000');
      const tls = serverTls(opts, 'TLS_SERVER_PRIVKEY', 'TLS_CLIENT_CACERTS');
      const s = await startHttpEcho({
        ip: opts.ip, httpPort, h2cPort: Number(envOr(env, 'H2C_PORT', '3001')), httpsPort: Number(envOr(env, 'HTTPS_PORT', '8443')),
        ...(tls ? { tls } : {}), identity, log, retryCounters: new Map(),
      });
      log(`Starting server, listening on port ${httpPort} (http)`);
      return { mode, ports: { ...s.ports }, stop: s.close };
    }
    case 'grpc': {
      const tls = serverTls(opts, 'TLS_SERVER_PRIV_KEY');
      const s = await startGrpcEcho({ ip: opts.ip, port: Number(envOr(env, 'HTTP_PORT', '3000')), tlsPort: Number(envOr(env, 'HTTPS_PORT', '8443')), ...(tls ? { tls } : {}), identity, log });
      return { mode, ports: { ...s.ports }, stop: s.close };
    }
    case 'tcp': {
      const tls = serverTls(opts, 'TLS_SERVER_PRIV_KEY');
      const s = await startTcpEcho({ ip: opts.ip, tcpPort: envOr(env, 'TCP_PORT', '3000'), tlsPort: tls ? envOr(env, 'TLS_PORT', '8443') : '', ...(tls ? { tls } : {}), identity, log });
      return { mode, ports: { ...s.ports }, stop: s.close };
    }
    case 'udp': {
      const s = await startUdpEcho({ ip: opts.ip, port: Number(envOr(env, 'UDP_PORT', '8080')), identity, log });
      return { mode, ports: { udp: s.port }, stop: s.close };
    }
    case 'dns': {
      const args = opts.args ?? [];
      const confIdx = args.indexOf('-conf');
      const confPath = confIdx >= 0 ? args[confIdx + 1] : 'Corefile';
      const corefile = opts.files?.[confPath ?? ''];
      const zones = corefile !== undefined ? parseCorefile(corefile) : [{ zone: '.', port: 53, plugins: ['whoami'] }];
      const s = await startDnsServer({ ip: opts.ip, zones, log });
      return { mode, ports: { dns: s.ports[0] ?? 0 }, stop: s.close };
    }
    case 'mesh': {
      // The Istio-style echo names itself by host name, which Kubernetes sets to the pod name.
      const s = await startMeshEcho({ ip: opts.ip, args: opts.args ?? [], hostname: env.HOSTNAME || env.POD_NAME || '', files: opts.files ?? {}, log });
      return { mode, ports: { ...s.ports }, stop: s.close };
    }
  }
}
