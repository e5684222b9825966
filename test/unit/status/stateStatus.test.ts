import { formatStateStatus, type StateStatus } from '../../../src/status/stateStatus';

const noSpool = { dir: '/var/spool/auth0-usage', files: 0, events: 0, rejected: 0 };

function status(extra: Partial<StateStatus>): StateStatus {
  return { location: '/data/state', manifest: undefined, lastRun: undefined, lock: undefined, spool: noSpool, shards: new Map(), ...extra };
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
});
