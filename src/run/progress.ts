import type cliProgress from 'cli-progress';
import type { ProgressReporter } from './progressReporter';

export type { ProgressReporter } from './progressReporter';

/**
 * `auto`: a bar on a terminal, JSON log lines otherwise (cron, containers);
 * `log`: JSON log lines even on a terminal (`--no-progress`); `off`: nothing.
 */
export type ProgressMode = 'auto' | 'log' | 'off';

/** The pino call shape (`logger.info(fields, msg)`), so any pino logger or child fits. */
export interface ProgressLogger {
  info(fields: object, msg: string): void;
}

export interface ProgressOptions {
  mode: ProgressMode;
  /** Where the bar goes and whose `isTTY` picks the mode; default process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Receives log-mode lines as `info({ ...fields }, 'progress')`. */
  logger?: ProgressLogger;
  /** Receives log-mode lines as JSON text when there is no logger; default: a line on `stream`. */
  write?: (line: string) => void;
  /** Log-mode period; default 30 s. */
  intervalMs?: number;
  /** Clock in ms, injectable for tests. */
  now?: () => number;
}

export const PROGRESS_LOG_INTERVAL_MS = 30_000;

/**
 * `--progress` (the default) lets a terminal get a bar; `--no-progress` asks for plain log lines, and so does
 * `--log-format json`, terminal or not (`docker run -t`): stderr is read by a machine then, and a bar's escape codes
 * would sit among the JSON lines.
 */
export function progressModeFromArgs(progress: boolean | undefined, logFormat?: string): ProgressMode {
  return progress === false || logFormat === 'json' ? 'log' : 'auto';
}

export function createProgressReporter(options: ProgressOptions): ProgressReporter {
  const stream = options.stream ?? process.stderr;
  const now = options.now ?? Date.now;
  if (options.mode === 'off') return new SilentProgress();
  if (options.mode === 'auto' && stream.isTTY === true) return new BarProgress(stream, now);
  const emit = options.logger
    ? (fields: ProgressFields) => options.logger!.info(fields, 'progress')
    : (fields: ProgressFields) => (options.write ?? ((line: string) => stream.write(`${line}\n`)))(JSON.stringify({ msg: 'progress', ...fields }));
  return new LogProgress(emit, options.intervalMs ?? PROGRESS_LOG_INTERVAL_MS, now);
}

/** What one progress log line carries. */
export interface ProgressFields {
  objects_done: number;
  objects_listed: number;
  objects_active: number;
  bytes_read: number;
  /** Sum of the sizes known at listing time. */
  bytes_listed: number;
  /** Over the last interval (over the whole run on the final line). */
  bytes_per_second: number;
  /** Log records decoded so far (of an object read again, only the attempt under way or the last one). */
  records_read: number;
  /** Over the last interval (over the whole run on the final line). */
  records_per_second: number;
  elapsed_s: number;
  /** Seconds left at the current rate for the bytes left; absent until the listing is done or while nothing is read. */
  eta_s?: number;
  /** Every input is listed: objects_listed and bytes_listed are the run's totals. */
  listing_done?: true;
  /** The last line. */
  done?: true;
  /** On the last line: reading failed or was stopped, so objects_done may fall short of objects_listed. */
  failed?: true;
}

/** Counts shared by both displays. */
class Tally implements ProgressReporter {
  objectsListed = 0;
  bytesListed = 0;
  objectsStarted = 0;
  objectsDone = 0;
  readBytes = 0;
  records = 0;
  listingComplete = false;
  current = '';

  objectListed(size?: number): void {
    this.objectsListed++;
    if (size !== undefined) this.bytesListed += size;
  }
  listingDone(): void {
    this.listingComplete = true;
  }
  recordsRead(n: number): void {
    this.records += n;
  }
  objectStarted(name: string): void {
    this.objectsStarted++;
    this.current = name;
  }
  bytesRead(n: number): void {
    this.readBytes += n;
  }
  objectRetried(bytes: number, records: number): void {
    this.readBytes -= bytes;
    this.records -= records;
  }
  objectDone(): void {
    this.objectsDone++;
  }
  finish(_failed?: boolean): void {}

  /** Only once the listing is done: the bytes listed so far say nothing of how much an S3 prefix still holds. */
  etaSeconds(bytesPerSecond: number): number | undefined {
    if (!this.listingComplete || bytesPerSecond <= 0 || this.bytesListed === 0) return undefined;
    return Math.max(0, Math.round((this.bytesListed - this.readBytes) / bytesPerSecond));
  }
}

class SilentProgress extends Tally {}

/** One JSON line per interval, plus a last one on finish. */
class LogProgress extends Tally {
  readonly #timer: NodeJS.Timeout;
  readonly #started: number;
  #lastAt: number;
  #lastBytes = 0;
  #lastRecords = 0;
  #finished = false;

  constructor(
    private readonly emit: (fields: ProgressFields) => void,
    intervalMs: number,
    private readonly now: () => number,
  ) {
    super();
    this.#started = this.#lastAt = now();
    this.#timer = setInterval(() => this.#report(false), intervalMs);
    this.#timer.unref(); // a heartbeat must not keep a finished run alive
  }

  override objectRetried(bytes: number, records: number): void {
    super.objectRetried(bytes, records);
    // The rate of the next line is still what was read in its interval, the failed attempt's bytes included.
    this.#lastBytes -= bytes;
    this.#lastRecords -= records;
  }

  override finish(failed = false): void {
    if (this.#finished) return;
    this.#finished = true;
    clearInterval(this.#timer);
    this.#report(true, failed);
  }

  #report(done: boolean, failed = false): void {
    const at = this.now();
    const since = done ? this.#started : this.#lastAt;
    const bytesSince = done ? this.readBytes : this.readBytes - this.#lastBytes;
    const recordsSince = done ? this.records : this.records - this.#lastRecords;
    const seconds = (at - since) / 1000;
    const rate = seconds > 0 ? Math.round(bytesSince / seconds) : 0;
    this.#lastAt = at;
    this.#lastBytes = this.readBytes;
    this.#lastRecords = this.records;
    const eta = done ? undefined : this.etaSeconds(rate);
    this.emit({
      objects_done: this.objectsDone,
      objects_listed: this.objectsListed,
      objects_active: this.objectsStarted - this.objectsDone,
      bytes_read: this.readBytes,
      bytes_listed: this.bytesListed,
      bytes_per_second: rate,
      records_read: this.records,
      records_per_second: seconds > 0 ? Math.round(recordsSince / seconds) : 0,
      elapsed_s: Math.round((at - this.#started) / 1000),
      ...(eta !== undefined ? { eta_s: eta } : {}),
      ...(this.listingComplete ? { listing_done: true as const } : {}),
      ...(done ? { done: true as const } : {}),
      ...(failed ? { failed: true as const } : {}),
    });
  }
}

const BAR_REFRESH_MS = 250;
const RATE_WINDOW_MS = 10_000;

/**
 * A terminal bar: objects done of listed (`12/40+` while listing goes on), bytes, recent MB/s and records/s, and
 * the ETA from the bytes left once the listing is done.
 */
class BarProgress extends Tally {
  readonly #bar: cliProgress.SingleBar;
  readonly #samples: Array<{ at: number; bytes: number; records: number }> = [];
  #lastRefresh = -Infinity;
  #finished = false;

  constructor(
    stream: NodeJS.WritableStream,
    private readonly now: () => number,
  ) {
    super();
    // Loaded here, for a terminal only: an unattended run shows no bar.
    const { SingleBar } = require('cli-progress') as typeof cliProgress;
    this.#bar = new SingleBar({
      stream: barStream(stream),
      format: '{bar} {value}/{listed} objects | {bytes} | {rate} | {records_rate} | ETA {eta_text}',
      emptyOnZero: true,
      hideCursor: null,
      // The bar is cut to the terminal's width by cli-progress itself; the terminal's own line wrapping stays on
      // (cli-progress would turn it off while the bar is shown), so a log line longer than the terminal wraps
      // whole instead of losing its end (the object, the counts) under its last column.
      linewrap: true,
      // Drawn again at each tick, also unchanged: a log line written above it (see the logger) clears its line.
      forceRedraw: true,
    });
    this.#bar.start(0, 0, this.#payload());
  }

  override objectListed(size?: number): void {
    super.objectListed(size);
    this.#bar.setTotal(this.objectsListed);
    this.#refresh(false);
  }
  override listingDone(): void {
    super.listingDone();
    this.#refresh(true);
  }
  override objectStarted(name: string): void {
    super.objectStarted(name);
    this.#refresh(false);
  }
  override bytesRead(n: number): void {
    super.bytesRead(n);
    this.#refresh(false);
  }
  override objectRetried(bytes: number, records: number): void {
    super.objectRetried(bytes, records);
    // The rates over the window stay what was read in it.
    for (const sample of this.#samples) {
      sample.bytes -= bytes;
      sample.records -= records;
    }
    this.#refresh(true);
  }
  override objectDone(): void {
    super.objectDone();
    this.#refresh(true);
  }
  override finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#refresh(true);
    this.#bar.stop();
  }

  #refresh(force: boolean): void {
    const at = this.now();
    if (!force && at - this.#lastRefresh < BAR_REFRESH_MS) return;
    this.#lastRefresh = at;
    this.#samples.push({ at, bytes: this.readBytes, records: this.records });
    while (this.#samples.length > 2 && at - this.#samples[0].at > RATE_WINDOW_MS) this.#samples.shift();
    this.#bar.update(this.objectsDone, this.#payload());
  }

  /** Per second over the samples of the last RATE_WINDOW_MS. */
  #rate(of: 'bytes' | 'records'): number {
    const first = this.#samples[0];
    const last = this.#samples[this.#samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return ((last[of] - first[of]) * 1000) / (last.at - first.at);
  }

  #payload(): Record<string, string> {
    const rate = this.#rate('bytes');
    const eta = this.etaSeconds(rate);
    const listed = this.bytesListed > 0 ? ` / ${formatBytes(this.bytesListed)}` : '';
    return {
      listed: `${this.objectsListed}${this.listingComplete ? '' : '+'}`,
      bytes: `${formatBytes(this.readBytes)}${listed}`,
      rate: `${formatBytes(rate)}/s`,
      records_rate: `${formatCount(this.#rate('records'))} records/s`,
      eta_text: eta === undefined ? '-' : formatDuration(eta),
    };
  }
}

/**
 * The bar's stream: without the cursor save (ESC 7) and restore (ESC 8) cli-progress wraps the bar in (log lines
 * printed while it is shown move it down, and the restore at its end jumped back over them, so the lines after the
 * bar overwrote them); and two columns narrower than the terminal, room for the `^C` a terminal echoes of Ctrl-C.
 * A bar up to the last column had that echo wrap to a new row, which the warning then took, leaving a stale bar
 * above it.
 */
function barStream(stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }): NodeJS.WritableStream {
  return Object.create(stream, {
    write: { value: (chunk: unknown, ...rest: unknown[]): boolean => (chunk === '\x1B7' || chunk === '\x1B8' ? true : Reflect.apply(stream.write, stream, [chunk, ...rest])) },
    columns: { get: () => (stream.columns ? Math.max(stream.columns - 2, 1) : undefined) },
  }) as NodeJS.WritableStream;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** 1536 → "1.5 KiB". */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

/** 950 → "950", 12_345 → "12.3k", 2_500_000 → "2.5M". */
export function formatCount(n: number): string {
  if (n < 1000) return String(Math.round(n));
  if (n < 1_000_000) return `${(n / 1000).toFixed(1)}k`;
  return `${(n / 1_000_000).toFixed(1)}M`;
}

/** 3725 → "1h02m05s". */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m${String(rest).padStart(2, '0')}s`;
  if (m > 0) return `${m}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}
