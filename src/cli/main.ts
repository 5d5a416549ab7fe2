import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { DEFAULT_ADMIN, DEFAULT_CONTROLLER_NAME } from './defaults.ts';

const USAGE = `Gatehouse: a Kubernetes Gateway API gateway.

Usage:
  gatehouse run [-f PATH]... [--admin HOST:PORT] [--controller-name NAME] [--address-pool CIDR] [--log-level LEVEL] [--workers N]
        Serve Gateway API YAML from files or directories (watched for changes).
        Without -f, serves the bundled example with its own demo backend.
        --workers N runs the data plane in N worker processes sharing every listener (Linux);
        0 (the default) serves traffic in the one process.
  gatehouse validate -f PATH...
        Check manifests as a Kubernetes API server with the Gateway API CRDs would; exit 1 on errors.
  gatehouse get KIND [NAME] [-n NS | -A] [-o yaml|json] [--admin HOST:PORT]
  gatehouse describe KIND [NAME] [-n NS] [--admin HOST:PORT]
        Read objects and their status from a running Gatehouse's admin API.
  gatehouse conformance [--corpus DIR] [--run NAMES] [--skip NAMES] [--profiles P,...] [--report FILE]
        Run the Gateway API conformance corpus against Gatehouse.
  gatehouse version

Defaults: admin API ${DEFAULT_ADMIN}, controllerName ${DEFAULT_CONTROLLER_NAME}.
`;

/** Runs one CLI invocation and returns its exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : s + '\n');
  try {
    switch (cmd) {
      case 'run': {
        const { runCommand } = await import('./run.ts');
        return await runCommand(parseRun(rest));
      }
      case 'validate': {
        const { values, positionals } = parseArgs({ args: rest, options: { file: { type: 'string', short: 'f', multiple: true } }, allowPositionals: true });
        const paths = [...(values.file ?? []), ...positionals];
        if (paths.length === 0) return usage('validate needs -f PATH');
        const { validateCommand } = await import('./validate.ts');
        return await validateCommand(paths, out);
      }
      case 'get':
      case 'describe': {
        const { values, positionals } = parseArgs({
          args: rest,
          options: {
            namespace: { type: 'string', short: 'n' },
            'all-namespaces': { type: 'boolean', short: 'A' },
            output: { type: 'string', short: 'o' },
            admin: { type: 'string', default: DEFAULT_ADMIN },
          },
          allowPositionals: true,
        });
        const [kind, name] = positionals;
        if (!kind) return usage(`${cmd} needs a KIND`);
        const admin = adminUrl(values.admin!);
        if (cmd === 'get') {
          const output = values.output as 'yaml' | 'json' | undefined;
          if (output && output !== 'yaml' && output !== 'json') return usage('-o must be yaml or json');
          const { getCommand } = await import('./get.ts');
          return await getCommand({ kind, name, namespace: values.namespace, allNamespaces: values['all-namespaces'], output: output ?? 'table', admin }, out);
        }
        const { describeCommand } = await import('./describe.ts');
        return await describeCommand({ kind, name, namespace: values.namespace, admin }, out);
      }
      case 'conformance': {
        const { conformanceCommand } = await import('../conformance/command.ts');
        return await conformanceCommand(rest);
      }
      case 'version':
      case '--version':
        out(`gatehouse ${version()}`);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(USAGE);
        return cmd === undefined ? 2 : 0;
      default:
        return usage(`unknown command "${cmd}"`);
    }
  } catch (err) {
    if ((err as any)?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || (err as any)?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      return usage((err as Error).message);
    }
    process.stderr.write(`gatehouse: ${(err as Error)?.message ?? err}\n`);
    return 1;
  }
}

/** The options of `gatehouse run`. */
export interface RunOptions {
  files: string[];
  admin: string;
  controllerName: string;
  addressPool?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  allowRemoteAdmin: boolean;
  /** Data-plane worker processes; 0 or absent = the data plane runs in this process. */
  workers?: number;
}

function parseRun(args: string[]): RunOptions {
  const { values } = parseArgs({
    args,
    options: {
      file: { type: 'string', short: 'f', multiple: true },
      admin: { type: 'string', default: DEFAULT_ADMIN },
      'controller-name': { type: 'string', default: DEFAULT_CONTROLLER_NAME },
      'address-pool': { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      'allow-remote-admin': { type: 'boolean', default: false },
      workers: { type: 'string', default: '0' },
    },
  });
  const level = values['log-level']!;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new Error(`--log-level must be debug, info, warn or error`);
  const workers = /^\d{1,4}$/.test(values.workers!) ? Number(values.workers) : NaN;
  if (!(workers >= 0 && workers <= 1024)) throw new Error(`--workers must be a whole number from 0 to 1024, got "${values.workers}"`);
  return {
    files: values.file ?? [],
    admin: values.admin!,
    controllerName: values['controller-name']!,
    addressPool: values['address-pool'],
    logLevel: level as RunOptions['logLevel'],
    allowRemoteAdmin: values['allow-remote-admin']!,
    workers,
  };
}

function adminUrl(hostPort: string): string {
  return /^https?:\/\//.test(hostPort) ? hostPort : `http://${hostPort}`;
}

function usage(msg: string): number {
  process.stderr.write(`gatehouse: ${msg}\n\n${USAGE}`);
  return 2;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return pkg.version;
}
