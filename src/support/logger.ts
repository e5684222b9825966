import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export type { Logger };
export type LogFormat = 'json' | 'text';

const LEVEL_NAMES: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'name']);

/**
 * On a terminal each line first clears the one the cursor is on: a progress bar may be drawn there (see
 * BarProgress), and the line would otherwise run on from the bar's end; the bar is drawn again below it.
 */
const CLEAR_LINE = '\r\x1b[K';

/**
 * A text line stays one line whatever it quotes: a path or S3 key may hold a line break (or another control
 * character), written as JSON writes it (`\\n`), as the JSON log's line has it.
 */
export function oneTextLine(text: string): string {
  return text.replace(/[\u0000-\u001f]/g, (c) => JSON.stringify(c).slice(1, -1));
}

/** Renders pino's JSON lines as `level message key=value …` for people watching a terminal. */
function textWriter(out: NodeJS.WritableStream): Writable {
  const clear = (out as NodeJS.WriteStream).isTTY === true ? CLEAR_LINE : '';
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line) continue;
        const entry = JSON.parse(line) as Record<string, unknown>;
        const fields = Object.entries(entry)
          .filter(([key]) => !OMITTED.has(key))
          .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
        const text = `${LEVEL_NAMES[entry.level as number] ?? entry.level} ${entry.msg ?? ''}${fields.length ? ' ' + fields.join(' ') : ''}`;
        out.write(`${clear}${oneTextLine(text)}\n`);
      }
      done();
    },
  });
}

export interface LoggerOptions {
  level?: string;
  /** json: one JSON object a line (cron, Kubernetes); text: readable lines. Default: text on a TTY, else json. */
  format?: LogFormat;
  stream?: NodeJS.WritableStream;
}

/** The format a log on `stream` takes: the one given, else text on a TTY and json anywhere else. */
export function logFormatFor(stream: NodeJS.WritableStream, format?: LogFormat): LogFormat {
  return format ?? ((stream as NodeJS.WriteStream).isTTY ? 'text' : 'json');
}

/** The job's log: stderr, so stdout stays free for `--output -`. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const format = logFormatFor(stream, options.format);
  const destination = format === 'text' ? textWriter(stream) : (stream as NodeJS.WritableStream);
  return pino(
    {
      name: 'auth0-usage',
      level: options.level ?? 'info',
      base: { name: 'auth0-usage' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label, number) => (format === 'json' ? { level: label } : { level: number }) },
    },
    destination as pino.DestinationStream,
  );
}
