/** Log levels in increasing severity. */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logger: one line per event, to stderr, with level and time; `fields` are appended as key=value. */
export type Logger = (level: Level, msg: string, fields?: Record<string, unknown>) => void;

/**
 * A plain line logger. Gatehouse logs are read by people at a terminal first, so the format is
 * `HH:MM:SS level message key=value`; structured JSON logging can replace it without touching callers.
 */
export function createLogger(min: Level = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return (level, msg, fields) => {
    if (ORDER[level] < ORDER[min]) return;
    const time = new Date().toISOString().slice(11, 19);
    let line = `${time} ${level.padEnd(5)} ${msg}`;
    if (fields) for (const [k, v] of Object.entries(fields)) line += ` ${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`;
    write(line);
  };
}
