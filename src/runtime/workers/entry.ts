/**
 * The program a data-plane worker process runs (forked by WorkerProcess with an IPC channel); see
 * worker.ts. Exits once the data plane closed: nothing may keep a stopped worker alive.
 */
import { runWorker } from './worker.ts';

const code = await runWorker();
process.exit(code);
