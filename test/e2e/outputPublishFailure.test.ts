import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJob } from '../../src/run/runJob';
import type { ProgressReporter } from '../../src/run/progressReporter';
import { NdjsonSummarySink } from '../../src/sinks/ndjsonSummarySink';
import { RunState } from '../../src/state/runState';
import { configWith, login, openLocal, silentLogger, writeArchive } from '../unit/state/stateTestKit';

// With --state the --output file is moved into place before the commit (docs/output-state-order.md). When that move
// fails, the run must fail as a run: not committed, exit 1, the state lock given back, and the sink's later writes and
// close must report the failure rather than wait on the file stream the move had already ended.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-publish-failure-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the output cannot be moved into place before the commit: the run fails, uncommitted and unlocked', async () => {
  const archives = path.join(dir, 'archives');
  writeArchive(archives, 'night.ndjson', [login(1, '2024-03-01T10:00:00Z', 'u1'), login(2, '2024-03-01T11:00:00Z', 'u2')]);
  const stateDir = path.join(dir, 'state');
  const output = path.join(dir, 'out', 'summaries.ndjson');
  const config = configWith();
  const state = await RunState.open({ location: stateDir, timezone: 'UTC', config, logger: silentLogger });
  const sink = new NdjsonSummarySink(output);
  // Once reading is done, something turns the output's path into a folder: the move into place fails (EISDIR).
  const progress: ProgressReporter = {
    objectListed() {},
    listingDone() {},
    objectStarted() {},
    bytesRead() {},
    recordsRead() {},
    objectRetried() {},
    objectDone() {},
    finish() {
      mkdirSync(output);
      writeFileSync(path.join(output, 'taken'), '');
    },
  };
  const outcome = await runJob({ inputs: [archives], config, timezone: 'UTC', openSource: openLocal, sinks: [sink], concurrency: 1, logger: silentLogger, state, progress });

  expect(outcome.exitCode).toBe(1);
  expect(outcome.committed).toBe(false);
  expect(outcome.run.status).toBe('failed');
  expect(outcome.run.error).toMatch(/^cannot move the output into place at .*summaries\.ndjson \(EISDIR\); it is in (.+)$/);
  // Nothing committed, the lock given back.
  expect(readdirSync(stateDir).filter((name) => name === 'manifest.json' || name === 'lock.json')).toEqual([]);
  // Closing reports the same failure, and keeps the file the message names.
  await expect(sink.close()).rejects.toThrow(outcome.run.error as string);
  const kept = /it is in (.+)$/.exec(outcome.run.error as string)![1]!;
  expect(existsSync(kept)).toBe(true);
  // A bound for the hang this guards against (runJob never settling), not a speed target.
}, 30_000);
