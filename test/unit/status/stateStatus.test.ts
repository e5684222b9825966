import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { formatStateStatus, readStateStatus, type StateStatus } from '../../../src/status/stateStatus';
import { STATE_FORMAT, STATE_VERSION, manifestSchema, type StateManifest } from '../../../src/state/stateManifest';
import { LocalStateStorage } from '../../../src/state/localStateStorage';
import { ShardPartialWriter, ShardsIncompleteError, readFinishedShards } from '../../../src/state/shardPartial';
import { rejectionOf } from '../../support/rejectionOf';
import { testTempDir } from '../../support/testTempDir';

const noSpool = { dir: '/var/spool/auth0-usage', files: 0, events: 0, rejected: 0 };

function status(extra: Partial<StateStatus>): StateStatus {
  return { location: '/data/state', manifest: undefined, lastRun: undefined, lock: undefined, spool: noSpool, shards: new Map(), damagedShards: new Map(), mergedShards: new Set(), shardsFirstFinished: new Map(), ...extra };
}

describe('formatStateStatus', () => {
  it('an empty location says so, and that the path may be wrong', () => {
    expect(formatStateStatus(status({}))).toBe(
      [
        'state      /data/state: empty (no state, no run recorded): check the path if a run should have used it',
        'last run   none recorded',
        'lock       free',
        'spool      0 events waiting in /var/spool/auth0-usage (0 files)',
        '',
      ].join('\n'),
    );
  });

  it('a failed first run: nothing committed, its figures and error, a stale lock, a spool with refused events', () => {
    const text = formatStateStatus(
      status({
        lastRun: {
          committed: false,
          run: { run_id: 'r-1', started_at: '2024-06-02T02:00:00Z', finished_at: '2024-06-02T02:05:00Z', status: 'failed', error: 'HEC refused the token', objects: 1200, records: 2500000, duplicates: 31, dedup_unavailable: 0, days: 3, summaries: 45 },
        },
        lock: { owner: { token: 't', host: 'worker-7', pid: 4242, acquiredAt: '2024-06-02T02:00:00Z', heartbeatAt: '2024-06-02T02:04:30Z' }, stale: true },
        spool: { dir: '/spool', files: 1, events: 1234, rejected: 2 },
      }),
    );
    expect(text.split('\n')).toEqual([
      'state      /data/state: nothing committed yet',
      'last run   r-1 2024-06-02T02:00:00Z → 2024-06-02T02:05:00Z: failed, not committed (HEC refused the token)',
      '           1,200 objects, 2,500,000 records, 31 duplicates, 0 unchecked, 3 days, 45 summaries',
      'lock       held by host worker-7, pid 4242 since 2024-06-02T02:00:00Z, last heartbeat 2024-06-02T02:04:30Z (stale: the next run takes it over)',
      'spool      1,234 events waiting in /spool (1 file)',
      '           2 events HEC refused, kept in rejected-*.ndjson there (never resent)',
      '',
    ]);
  });

  it('a spool held by a run names that run, and says when its lock is stale or unreadable', () => {
    const owner = { token: 't', host: 'cron-2', pid: 77, acquiredAt: '2024-06-03T02:10:00Z', heartbeatAt: '2024-06-03T02:10:40Z' };
    const spoolLines = (holder: NonNullable<StateStatus['spool']['holder']>) =>
      formatStateStatus(status({ spool: { ...noSpool, files: 1, events: 3, holder } })).split('\n').slice(3, 5);
    expect(spoolLines({ owner, stale: false })).toEqual([
      'spool      3 events waiting in /var/spool/auth0-usage (1 file)',
      '           held by a run using it: host cron-2, pid 77 since 2024-06-03T02:10:00Z, last heartbeat 2024-06-03T02:10:40Z',
    ]);
    expect(spoolLines({ owner, stale: true })[1]).toBe(
      '           held by a run using it: host cron-2, pid 77 since 2024-06-03T02:10:00Z, last heartbeat 2024-06-03T02:10:40Z (stale: the next run takes it over)',
    );
    expect(spoolLines('unreadable')[1]).toBe('           its lock.json is empty or unreadable: a run may be taking it; the next run takes it over once it is older than the lease');
  });

  it('a state that holds only finished shards is not called empty; the merge command names the state', () => {
    const lines = formatStateStatus(status({ shards: new Map([[3, [0, 1, 2]]]), spool: { ...noSpool, files: 1, events: 1 } })).split('\n');
    expect(lines).toEqual([
      'state      /data/state: nothing committed yet',
      'last run   none recorded',
      'lock       free',
      'shards     3 of 3 finished, not merged yet: auth0-usage merge --state /data/state --shards 3 --hec-url URL (or --output FILE)',
      'spool      1 event waiting in /var/spool/auth0-usage (1 file)',
      '',
    ]);
  });

  it('unfinished shards: which are left to run, or the merge command once all finished', () => {
    const lines = formatStateStatus(status({ lastRun: 'unreadable', lock: 'unreadable', shards: new Map([[4, [0, 2]], [2, [0, 1]]]) })).split('\n');
    expect(lines.filter((l) => l.startsWith('shards'))).toEqual([
      'shards     2 of 2 finished, not merged yet: auth0-usage merge --state /data/state --shards 2 --hec-url URL (or --output FILE)',
      'shards     2 of 4 finished, not merged yet; to run: 1, 3',
    ]);
    expect(lines).toContain('last run   last-run.json is unreadable');
    expect(lines[2]).toMatch(/^lock {7}lock\.json is empty or unreadable: /);
  });

  /** A manifest of generation `generation`, committed by `runId` at `committedAt` (checked against the schema). */
  const manifestBy = (runId: string, generation: number, committedAt: string): StateManifest =>
    manifestSchema.parse({
      format: STATE_FORMAT,
      version: STATE_VERSION,
      timezone: 'UTC',
      rollupConfig: 'a'.repeat(16),
      generation,
      createdAt: '2024-06-01T02:00:00Z',
      committedAt,
      committedRun: { runId, startedAt: '2024-06-02T02:00:00Z' },
      objects: { file: null, count: 101, bytes: 2048 },
      days: [],
    });
  const run = (runId: string, finishedAt: string, status: string, error?: string) => ({
    run_id: runId, started_at: '2024-06-02T02:00:00Z', finished_at: finishedAt, status, ...(error ? { error } : {}), objects: 101, records: 5000, duplicates: 0, dedup_unavailable: 0, days: 2, summaries: 10,
  });

  it('a run stopped after its checkpoints committed them: the last run says so, not "not committed"', () => {
    const lines = formatStateStatus(
      status({ manifest: manifestBy('r-2', 3, '2024-06-02T02:04:00Z'), lastRun: { committed: false, run: run('r-2', '2024-06-02T02:05:00Z', 'failed', 'stopped by SIGTERM while reading') } }),
    ).split('\n');
    expect(lines.slice(1, 5)).toEqual([
      'committed  generation 3 at 2024-06-02T02:04:00Z by run r-2',
      'objects    101 read (2.0 kB)',
      'last run   r-2 2024-06-02T02:00:00Z → 2024-06-02T02:05:00Z: failed, committed up to its last checkpoint (generation 3), the rest not (stopped by SIGTERM while reading)',
      '           101 objects, 5,000 records, 0 duplicates, 0 unchecked, 2 days, 10 summaries',
    ]);
    expect(lines[5]).toBe('lock       free');
  });

  it('Auth0 statistics still to be read are named by tenant, with their first and last day', () => {
    const manifest = manifestSchema.parse({ ...manifestBy('r-2', 3, '2024-06-02T02:04:00Z'), auth0Pending: { 'acme-dev': ['2024-06-02'], 'acme-prod': ['2024-05-30', '2024-05-31', '2024-06-02'] } });
    const lines = formatStateStatus(status({ manifest })).split('\n');
    expect(lines.slice(3, 5)).toEqual([
      'auth0      statistics of acme-dev: 1 day (2024-06-02) still to be read by the next run',
      'auth0      statistics of acme-prod: 3 days (2024-05-30 … 2024-06-02) still to be read by the next run',
    ]);
  });

  it('a last run that passed over objects deleted before their turn says how many', () => {
    const lines = formatStateStatus(status({ manifest: manifestBy('r-2', 3, '2024-06-02T02:04:00Z'), lastRun: { committed: true, run: { ...run('r-2', '2024-06-02T02:05:00Z', 'ok'), objects_gone: 2 } } })).split('\n');
    expect(lines[4]).toBe('           101 objects (2 gone before their turn), 5,000 records, 0 duplicates, 0 unchecked, 2 days, 10 summaries');
  });

  it('a last run of one object, record, duplicate, day and summary says each in the singular', () => {
    const one = { ...run('r-2', '2024-06-02T02:05:00Z', 'ok'), objects: 1, records: 1, duplicates: 1, days: 1, summaries: 1 };
    const lines = formatStateStatus(status({ manifest: manifestBy('r-2', 3, '2024-06-02T02:04:00Z'), lastRun: { committed: true, run: one } })).split('\n');
    expect(lines[4]).toBe('           1 object, 1 record, 1 duplicate, 0 unchecked, 1 day, 1 summary');
  });

  it('a run killed after a checkpoint recorded no end: the commit\'s run is named beside the last run recorded', () => {
    const killed = formatStateStatus(status({ manifest: manifestBy('r-3', 6, '2024-06-03T02:03:00Z'), lastRun: { committed: true, run: run('r-2', '2024-06-02T02:05:00Z', 'ok') } })).split('\n');
    expect(killed.slice(3, 6)).toEqual([
      'last run   r-2 2024-06-02T02:00:00Z → 2024-06-02T02:05:00Z: ok, committed',
      '           101 objects, 5,000 records, 0 duplicates, 0 unchecked, 2 days, 10 summaries',
      '           run r-3, which made that commit, recorded no end: it is still running, or was killed (what it committed is kept; the next run reads on from there)',
    ]);
    // The first run of a state, killed after a checkpoint: no run recorded at all.
    const first = formatStateStatus(status({ manifest: manifestBy('r-1', 1, '2024-06-01T02:03:00Z') })).split('\n');
    expect(first.slice(3, 5)).toEqual(['last run   none recorded', '           run r-1, which made that commit, recorded no end: it is still running, or was killed (what it committed is kept; the next run reads on from there)']);
    // A later run that ended without a commit of its own (nothing new to read): no such line.
    const quiet = formatStateStatus(status({ manifest: manifestBy('r-2', 6, '2024-06-02T02:05:00Z'), lastRun: { committed: false, run: run('r-4', '2024-06-04T02:01:00Z', 'failed', 'HEC refused the token') } }));
    expect(quiet).not.toContain('recorded no end');
    expect(quiet).toContain('failed, not committed (HEC refused the token)');
  });
});

describe('readStateStatus', () => {
  const spec = { inputs: ['s3://logs/'], include: [], exclude: [], timezone: 'UTC', from: null, to: null, rollup_config: 'abc' };
  const counts = { objects: 1, bytes: 10, records: 1, malformed: 0, rejected: 0, quarantine_truncated: 0, skipped: 0 };
  async function finishShard(storage: LocalStateStorage, shards: number, index: number, finishedAt: string): Promise<void> {
    const writer = await ShardPartialWriter.start(storage, shards, index);
    await writer.writeRecordFile(Buffer.from('records'), [{ name: `s3://logs/${index}.gz`, size: 10, version: 'v1' }]);
    await writer.finish(spec, counts, new Date(finishedAt));
  }

  it('a done.json the merge refuses is not a finished shard: status names it, why, and that the merge refuses it', async () => {
    const dir = testTempDir('auth0-usage-status-shards-');
    const storage = new LocalStateStorage(dir);
    await finishShard(storage, 2, 0, '2024-03-02T00:00:00Z');
    await finishShard(storage, 2, 1, '2024-03-01T00:00:00Z');
    // Shard 1's done.json with a count as text: JSON, with a valid finished_at, and still not a done.json the merge takes.
    const file = path.join(dir, 'shards', '2', '1', 'done.json');
    const done = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...done, counts: { ...done.counts, records: '1' } }));
    // Shard 0 of 3 finished, shard 1's done.json cut short: not JSON.
    await finishShard(storage, 3, 0, '2024-03-03T00:00:00Z');
    await finishShard(storage, 3, 1, '2024-03-03T00:00:00Z');
    writeFileSync(path.join(dir, 'shards', '3', '1', 'done.json'), '{"version":1,');

    const status = await readStateStatus(storage, { dir: '/var/spool/auth0-usage', files: 0, events: 0, rejected: 0 }, { staleMs: 60_000, nowMs: 0 });
    const merge = await rejectionOf(readFinishedShards(storage, 2));
    await storage.close();
    expect(status.shards).toEqual(new Map([[2, [0]], [3, [0]]]));
    expect(status.damagedShards).toEqual(
      new Map([
        [2, [{ index: 1, reason: 'counts.records: Invalid input: expected number, received string' }]],
        [3, [{ index: 1, reason: 'not JSON' }]],
      ]),
    );
    // Only the shard the merge takes says when its set first finished: shard 1 of 2, refused, finished earlier.
    expect(status.shardsFirstFinished).toEqual(new Map([[2, '2024-03-02T00:00:00.000Z'], [3, '2024-03-03T00:00:00.000Z']]));
    expect(formatStateStatus(status).split('\n').filter((line) => line.startsWith('shards') || line.includes('done.json'))).toEqual([
      'shards     1 of 2 finished, not merged yet; to run: 1',
      '           shards/2/1/done.json is damaged (counts.records: Invalid input: expected number, received string): the merge refuses shard 1; run it again',
      'shards     1 of 3 finished, not merged yet; to run: 1, 2',
      '           shards/3/1/done.json is damaged (not JSON): the merge refuses shard 1; run it again',
    ]);
    expect(merge).toBeInstanceOf(ShardsIncompleteError);
    expect(merge.message).toBe(`cannot merge ${dir}: unreadable: shard 1 (counts.records: Invalid input: expected number, received string): run it again, then the merge`);
  });

  it('a done.json that names another shard than the one whose folder it is in is refused alike', async () => {
    const dir = testTempDir('auth0-usage-status-shards-');
    const storage = new LocalStateStorage(dir);
    await finishShard(storage, 2, 0, '2024-03-01T00:00:00Z');
    // Shard 0's done.json copied into shard 1's folder.
    mkdirSync(path.join(dir, 'shards', '2', '1'));
    writeFileSync(path.join(dir, 'shards', '2', '1', 'done.json'), readFileSync(path.join(dir, 'shards', '2', '0', 'done.json')));
    const status = await readStateStatus(storage, { dir: '/var/spool/auth0-usage', files: 0, events: 0, rejected: 0 }, { staleMs: 60_000, nowMs: 0 });
    expect(await rejectionOf(readFinishedShards(storage, 2))).toEqual(expect.objectContaining({ message: `cannot merge ${dir}: unreadable: shard 1 (it says shard 0/2): run it again, then the merge` }));
    await storage.close();
    expect([status.shards, status.damagedShards]).toEqual([new Map([[2, [0]]]), new Map([[2, [{ index: 1, reason: 'it says shard 0/2' }]]])]);
  });
});
