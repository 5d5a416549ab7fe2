/**
 * nginx and HAProxy from the Debian packages: the shared backend (nginx serving static bodies) and the two
 * native proxies under test. Each runs from a config written to the run's temp dir; nginx gets `-p tmpdir`
 * and `-e` so it never opens /etc/nginx or /var/log/nginx and never touches the system service.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, start, type Proc } from '../lib/procs.ts';
import { freePort, waitFor200 } from '../lib/net.ts';
import type { Cpus, RunningSystem, SystemDef } from './system.ts';
import type { BenchCert } from '../lib/tls.ts';

/** Body of /small (the small-response case). */
export const SMALL_BODY = 'hello from the gatehouse bench backend\n';
/** Size of /64k. */
export const LARGE_SIZE = 64 * 1024;

function prefixDir(name: string): string {
  const root = runDir();
  chmodSync(root, 0o755); // nginx workers run as nobody when started by root and must read the body files
  const dir = join(root, name);
  mkdirSync(join(dir, 'logs'), { recursive: true });
  return dir;
}

/** The http{} settings every nginx here shares: no access log, long keep-alive, temp paths inside the prefix. */
function httpCommon(dir: string): string {
  return `access_log off; keepalive_requests 1000000; keepalive_timeout 120s;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;`;
}

function nginxMain(dir: string, http: string): string {
  return `worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/logs/error.log warn;
events { worker_connections 8192; multi_accept on; }
http { ${httpCommon(dir)}
${http}
}
`;
}

async function startNginx(nginx: string, name: string, http: string, port: number, cpu: string | undefined, scheme = 'http'): Promise<Proc> {
  const dir = prefixDir(name);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, nginxMain(dir, http));
  const proc = start(name, nginx, ['-p', dir, '-e', join(dir, 'logs', 'error.log'), '-c', conf], { cpu });
  await waitFor200(`${scheme}://127.0.0.1:${port}/small`, 10_000).catch((e: Error) => {
    throw new Error(`${name} did not start: ${e.message}\n${proc.output()}`);
  });
  return proc;
}

/** The backend every proxy forwards to: nginx, one worker, /small and /64k from memory/page cache. */
export async function startBackend(nginx: string, cpu: string | undefined, name = 'backend', body = SMALL_BODY): Promise<{ port: number; proc: Proc }> {
  const port = await freePort();
  const dir = prefixDir(name);
  mkdirSync(join(dir, 'www'), { recursive: true });
  writeFileSync(join(dir, 'www', '64k'), Buffer.alloc(LARGE_SIZE, 'x'));
  const http = `server { listen 127.0.0.1:${port} reuseport backlog=4096; root ${dir}/www; default_type text/plain; sendfile on; tcp_nopush on;
    location = /small { return 200 "${body.replace('\n', '\\n')}"; }
    location / { }
  }`;
  const proc = await startNginx(nginx, name, http, port, cpu);
  return { port, proc };
}

/** nginx as a reverse proxy: one worker, HTTP/1.1 and a keep-alive pool to the backend; HTTPS with `tls`. */
export function nginxProxy(nginx: string | undefined, skip: string | undefined, tls?: BenchCert): SystemDef {
  return {
    name: 'nginx',
    skip: nginx === undefined ? skip : undefined,
    async start(backendPort: number, cpus: Cpus): Promise<RunningSystem> {
      const port = await freePort();
      const listen = tls === undefined ? '' : ` ssl; ssl_certificate ${tls.certFile}; ssl_certificate_key ${tls.keyFile}`;
      const http = `upstream backend { server 127.0.0.1:${backendPort}; keepalive 128; keepalive_requests 1000000; }
  server { listen 127.0.0.1:${port} backlog=4096${listen};
    location / { proxy_pass http://backend; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }`;
      const proc = await startNginx(nginx!, tls === undefined ? 'nginx-proxy' : 'nginx-proxy-tls', http, port, cpus.proxy, tls === undefined ? 'http' : 'https');
      return { name: 'nginx', port, procs: [proc] };
    },
  };
}

/** HAProxy: one thread, HTTP mode, keep-alive on both sides with server connection reuse. */
export function haproxyProxy(haproxy: string | undefined, skip: string | undefined, tls?: BenchCert): SystemDef {
  return {
    name: 'HAProxy',
    skip: haproxy === undefined ? skip : undefined,
    async start(backendPort: number, cpus: Cpus): Promise<RunningSystem> {
      const port = await freePort();
      const dir = prefixDir(tls === undefined ? 'haproxy' : 'haproxy-tls');
      const conf = join(dir, 'haproxy.cfg');
      writeFileSync(
        conf,
        `global
  nbthread 1
  maxconn 4096
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 5s
  timeout client 120s
  timeout server 120s
  timeout http-keep-alive 120s
frontend bench
  bind 127.0.0.1:${port}${tls === undefined ? '' : ` ssl crt ${tls.bundleFile}`}
  default_backend origin
backend origin
  server s1 127.0.0.1:${backendPort}
`,
      );
      const proc = start('haproxy', haproxy!, ['-db', '-f', conf], { cpu: cpus.proxy });
      await waitFor200(`${tls === undefined ? 'http' : 'https'}://127.0.0.1:${port}/small`, 10_000).catch((e: Error) => {
        throw new Error(`HAProxy did not start: ${e.message}\n${proc.output()}`);
      });
      return { name: 'HAProxy', port, procs: [proc] };
    },
  };
}
