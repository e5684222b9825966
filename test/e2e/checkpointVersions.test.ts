import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runJob } from '../../src/run/runJob';
import { RunState } from '../../src/state/runState';
import { CollectingSink, configWith, login, openLocal, silentLogger, writeArchive } from '../unit/state/stateTestKit';

// A day split across two checkpoints of one run is delivered twice under one summary_id: first with the records
// of the first part, then complete. Analysts keep the copy with the newest generated_at (docs/analysts.md, the
// app's auth0_usage_latest macro), so the complete copy must carry a strictly newer one, even on a clock that did
// not move between the parts.
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-checkpoint-versions-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('the later copy of a day re-emitted at a checkpoint has the newer generated_at', async () => {
  const archives = path.join(dir, 'archives');
  // a.ndjson: 3 logins on 2025-08-05; b.ndjson: 4 more on the same day, by other users.
  writeArchive(archives, 'a.ndjson', [1, 2, 3].map((n) => login(n, `2025-08-05T0${n}:00:00.000Z`, `auth0|u${n}`)));
  writeArchive(archives, 'b.ndjson', [4, 5, 6, 7].map((n) => login(n, `2025-08-05T0${n}:00:00.000Z`, `auth0|u${n}`)));
  const config = configWith();
  const state = await RunState.open({ location: path.join(dir, 'state'), timezone: 'UTC', config, logger: silentLogger });
  const sink = new CollectingSink();
  const frozen = new Date('2026-01-02T03:04:05.678Z');
  const outcome = await runJob({
    inputs: [archives],
    config,
    timezone: 'UTC',
    openSource: openLocal,
    sinks: [sink],
    concurrency: 1,
    logger: silentLogger,
    state,
    checkpoint: { objects: 1, ms: 3_600_000 },
    now: () => frozen,
  });
  expect(outcome.exitCode).toBe(0);
  expect(outcome.checkpoints.commits).toBe(1);

  const dailies = sink.events.map((e) => e.event as Record<string, any>).filter((e) => e.summary === 'daily');
  // Both copies went out, one per part, under the same summary_id.
  expect(dailies.map((d) => d.logins)).toEqual([3, 7]);
  expect(new Set(dailies.map((d) => d.summary_id)).size).toBe(1);
  // What `sort 0 - generated_at | dedup summary_id` keeps: exactly one newest copy, the complete one.
  const newest = dailies.reduce((a, b) => (b.generated_at > a.generated_at ? b : a));
  expect(dailies.filter((d) => d.generated_at === newest.generated_at)).toHaveLength(1);
  expect(newest.logins).toBe(7);
});
