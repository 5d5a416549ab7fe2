/**
 * Captured pod stdout: the last lines of every pod, with the time each was printed (the mirror
 * tests read logs "since" a moment), and subscribers for new lines.
 */
import type { Pod } from '../types.ts';

/** Lines kept per pod; older ones are dropped. */
export const MAX_LOG_LINES = 10_000;

/** One captured line. */
export interface LogEntry {
  /** Milliseconds since the epoch. */
  time: number;
  line: string;
}

/** Per-pod bounded log buffers and log subscribers. */
export class PodLogs {
  private readonly buffers = new Map<string, LogEntry[]>();
  private readonly subscribers = new Set<(pod: Pod, line: string) => void>();

  /** Records a line of a pod and tells the subscribers (a failing subscriber is ignored). */
  append(pod: Pod, line: string): void {
    const key = `${pod.namespace}/${pod.name}`;
    let buf = this.buffers.get(key);
    if (!buf) this.buffers.set(key, (buf = []));
    buf.push({ time: Date.now(), line });
    if (buf.length > MAX_LOG_LINES) buf.splice(0, buf.length - MAX_LOG_LINES);
    for (const fn of this.subscribers) {
      try {
        fn(pod, line);
      } catch {
        // A subscriber's bug must not break the pod.
      }
    }
  }

  /** Lines of a pod, oldest first, optionally only those printed at or after `sinceMs`. */
  entries(namespace: string, podName: string, sinceMs?: number): LogEntry[] {
    const buf = this.buffers.get(`${namespace}/${podName}`) ?? [];
    return sinceMs === undefined ? [...buf] : buf.filter((e) => e.time >= sinceMs);
  }

  /** Forgets a pod's lines (the pod is gone). */
  drop(namespace: string, podName: string): void {
    this.buffers.delete(`${namespace}/${podName}`);
  }

  /** Subscribes to new lines; returns the unsubscribe function. */
  subscribe(fn: (pod: Pod, line: string) => void): () => void {
    this.subscribers.add(fn);
    return () => void this.subscribers.delete(fn);
  }
}
