// JSON-lines sinks: events to stdout, logs to stderr, one object per line.
import type { Sinks } from '../runtime/events.ts';

export interface Writer {
  write(line: string): unknown;
}

export const jsonlSinks = (stdout: Writer, stderr: Writer): Sinks => ({
  event: (e) => void stdout.write(`${JSON.stringify(e)}\n`),
  log: (l) => void stderr.write(`${JSON.stringify(l)}\n`),
});

/** A CLI-level log line (outside any run), same shape on stderr. */
export const cliLog = (stderr: Writer, level: 'info' | 'warn' | 'error', message: string, data?: unknown) =>
  void stderr.write(`${JSON.stringify({ level, message, time: new Date().toISOString(), ...(data === undefined ? {} : { data }) })}\n`);
