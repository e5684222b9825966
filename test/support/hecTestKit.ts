/** Small helpers shared by the HEC tests: a recording log, a sleep that does not wait, temp spool dirs. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { SummaryEnvelope } from '../../src/rollup/summaryEvent';
import type { HecLog } from '../../src/sinks/hec/hecLog';
import { HecSink, type HecSinkDeps, type HecSinkOptions } from '../../src/sinks/hec/hecSink';
import type { HecReceiver } from './hecReceiver';
import { testTempDir } from './testTempDir';

export const TEST_TOKEN = 'a1b2c3d4-0000-4e5f-9a8b-7c6d5e4f3a2b';

export interface RecordingLog extends HecLog {
  lines: string[];
}

export function recordingLog(): RecordingLog {
  const lines: string[] = [];
  return {
    lines,
    debug: (message) => lines.push(`debug ${message}`),
    info: (message) => lines.push(`info ${message}`),
    warn: (message) => lines.push(`warn ${message}`),
  };
}

/** A sleep that records each requested wait and returns on the next turn of the event loop. */
export function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: (ms) => new Promise((resolve) => { waits.push(ms); setImmediate(resolve); }) };
}

/**
 * Retry settings whose deadline passes after a few waits, for tests about what happens past it: with waitClock(),
 * the waits add up to the deadline without any real wait.
 */
export const FAST_GIVE_UP = { retry: { initialDelayMs: 1, maxDelayMs: 4, deadlineMs: 60 } };

/** A clock only the sink's own waits move (each wait adds its length, then yields a turn of the event loop). */
export function waitClock(): { now: () => number; sleep: (ms: number) => Promise<void> } {
  let nowMs = 0;
  return {
    now: () => nowMs,
    sleep: (ms) =>
      new Promise((resolve) => {
        nowMs += ms;
        setImmediate(resolve);
      }),
  };
}

/** The envelopes of a spool file, in order. */
export function readSpoolFile(file: string): SummaryEnvelope[] {
  return readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as SummaryEnvelope);
}

/** The spool file a sink of `runId` wrote in `spoolDir` (hecSpool: `hec-<run id>.to-<destination>.ndjson`). */
export function ownSpoolFile(spoolDir: string, runId: string): string {
  const names = readdirSync(spoolDir).filter((name) => /^hec-(.+)\.to-[0-9a-f]{8}\.ndjson$/.exec(name)?.[1] === runId);
  if (names.length !== 1) throw new Error(`expected one spool file of run ${runId} in ${spoolDir}, found: ${readdirSync(spoolDir).join(', ')}`);
  return path.join(spoolDir, names[0]!);
}

/** A spool file's name as a sink of `runId` writes it, for a readdir() expectation. */
export const ownSpoolName = (runId: string) => expect.stringMatching(new RegExp(`^hec-${runId}\\.to-[0-9a-f]{8}\\.ndjson$`));

/** A temporary folder, removed after the test file's last test. */
export function tempDir(prefix = 'hec-test-'): string {
  return testTempDir(prefix);
}

/**
 * A sink aimed at the receiver with test-sized timings: no real backoff waits (recorded instead),
 * 1 s timeout, a fresh spool dir. Overrides win.
 */
export function testSink(
  receiver: HecReceiver,
  options: Partial<HecSinkOptions> = {},
  deps: Partial<HecSinkDeps> = {},
): { sink: HecSink; log: RecordingLog; waits: number[]; spoolDir: string } {
  const log = recordingLog();
  const { sleep, waits } = recordingSleep();
  const spoolDir = options.spoolDir ?? tempDir();
  const sink = new HecSink(
    { url: receiver.url, token: TEST_TOKEN, timeoutMs: 1_000, spoolDir, ...options },
    { runId: 'run-1', log, sleep, random: () => 0.5, ...deps },
  );
  return { sink, log, waits, spoolDir };
}

/** CliIo whose stdout and stderr are collected as text. */
export function capturedIo(env: NodeJS.ProcessEnv): { io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; env: NodeJS.ProcessEnv }; out: () => string; err: () => string } {
  const collect = () => {
    const chunks: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(chunk.toString());
        done();
      },
    });
    return { stream, text: () => chunks.join('') };
  };
  const stdout = collect();
  const stderr = collect();
  return { io: { stdout: stdout.stream, stderr: stderr.stream, env }, out: stdout.text, err: stderr.text };
}
