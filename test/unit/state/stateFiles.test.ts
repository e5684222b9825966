import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { LogIdSet } from '../../../src/rollup/logIdSet';
import { decodeLogIds, encodeLogIds, LogIdFileError } from '../../../src/rollup/logIdFile';
import { joinedDays, ObjectIndex, ObjectListError, readDaysKey } from '../../../src/state/objectIndex';
import { dayFileNames, isStateEntry, isStateFileName, tenantSegment } from '../../../src/state/stateLayout';
import { logId } from './stateTestKit';

/** FNV-1a 64 with BigInt, byte by byte: an independent reference for the two-half implementation. */
function fnv1a64(text: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return hash.toString(16).padStart(16, '0');
}

describe('log_id files', () => {
  it('store 8 bytes an id and rebuild the same set', () => {
    const ids = Array.from({ length: 1000 }, (_, n) => logId({ n, date: '2024-03-01T00:00:00Z' }));
    const set = new LogIdSet();
    for (const id of ids) set.claim(id);
    const bytes = encodeLogIds(set);
    expect(bytes.length).toBe(16 + 8 * 1000);
    const back = decodeLogIds(bytes);
    expect(back.size).toBe(1000);
    expect(ids.every((id) => back.has(id))).toBe(true);
    expect(back.has(logId({ n: 1000, date: '2024-03-01T00:00:00Z' }))).toBe(false);
  });

  it('hold the FNV-1a 64 hash of each id, high half first', () => {
    const id = logId({ n: 7, date: '2024-03-01T00:00:00Z' });
    const set = new LogIdSet();
    set.claim(id);
    const bytes = encodeLogIds(set);
    const hex = bytes.readUInt32LE(16).toString(16).padStart(8, '0') + bytes.readUInt32LE(20).toString(16).padStart(8, '0');
    expect(hex).toBe(fnv1a64(id));
  });

  it('refuse bytes of another kind, version or length', () => {
    const good = encodeLogIds(new LogIdSet());
    expect(() => decodeLogIds(Buffer.from('{"not":"ids"}'))).toThrow(LogIdFileError);
    const otherVersion = Buffer.from(good);
    otherVersion.writeUInt32LE(2, 4);
    expect(() => decodeLogIds(otherVersion)).toThrow(/version 2/);
    const truncated = Buffer.concat([good, Buffer.alloc(4)]);
    expect(() => decodeLogIds(truncated)).toThrow(/holds 20 bytes, not 16/);
  });
});

describe('the object list', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'auth0-usage-objects-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('skips an object only when its size and version are those recorded', () => {
    const index = new ObjectIndex();
    index.record({ name: 's3://b/k1.gz', size: 10, version: 'etag-1' });
    index.record({ name: path.join(dir, 'a.json'), size: 5, version: '1700000000000-5' });
    const back = ObjectIndex.decode(index.encode());
    expect([back.count, back.bytes]).toEqual([2, 15]);
    expect(back.isUnchanged({ name: 's3://b/k1.gz', size: 10, version: 'etag-1' })).toBe(true);
    expect(back.isUnchanged({ name: 's3://b/k1.gz', size: 10, version: 'etag-2' })).toBe(false);
    expect(back.isUnchanged({ name: 's3://b/k1.gz', size: 11, version: 'etag-1' })).toBe(false);
    expect(back.isUnchanged({ name: 's3://b/k2.gz', size: 10, version: 'etag-1' })).toBe(false);
    expect(back.isUnchanged({ name: 's3://b/k1.gz', size: 10 })).toBe(false);
    // A relative spelling of the same file is the same object.
    const relative = path.relative(process.cwd(), path.join(dir, 'a.json'));
    expect(back.isUnchanged({ name: relative, size: 5, version: '1700000000000-5' })).toBe(true);
  });

  it('notices a local file rewritten in place (its mtime changes)', async () => {
    const { LocalFileSource } = await import('../../../src/sources/localFiles');
    const file = path.join(dir, 'a.json');
    writeFileSync(file, '[]');
    const list = async () => {
      const out = [];
      for await (const o of new LocalFileSource(file).list()) out.push(o);
      return out[0]!;
    };
    const index = new ObjectIndex();
    index.record(await list());
    expect(index.isUnchanged(await list())).toBe(true);
    utimesSync(file, new Date('2030-01-01'), new Date('2030-01-01'));
    expect(index.isUnchanged(await list())).toBe(false);
  });

  it('refuses what is not an object list', () => {
    expect(() => ObjectIndex.decode(Buffer.from('plain'))).toThrow(ObjectListError);
    const list = (value: unknown) => gzipSync(JSON.stringify(value));
    // Version 1 has no fourth item; version 2's is a day range or null.
    expect(() => ObjectIndex.decode(list({ version: 1, objects: [['/a', 1, 'v', '2024-01-01..']] }))).toThrow(ObjectListError);
    expect(() => ObjectIndex.decode(list({ version: 2, objects: [['/a', 1, 'v', 'January']] }))).toThrow(ObjectListError);
    expect(() => ObjectIndex.decode(list({ version: 2, objects: [['/a', 1, 'v', '2024-01-01..2024-01-31,2024-03-01..']] }))).toThrow(ObjectListError);
    // A later version is a newer build's list, not damage.
    expect(() => ObjectIndex.decode(list({ version: 4, objects: [] }))).toThrow(
      expect.objectContaining({ newer: true, message: 'its object list is version 4, and this auth0-usage reads up to version 3' }),
    );
    expect(() => ObjectIndex.decode(list({ version: 2, objects: [['/a', 1, 'v', 'January']] }))).toThrow(expect.objectContaining({ newer: false }));
  });

  it('keeps every range an object was read for: joined when they touch, apart across a gap (version 3)', () => {
    const version = (index: ObjectIndex) => JSON.parse(gunzipSync(index.encode()).toString('utf8')).version;
    const index = new ObjectIndex();
    const edge = { name: '/a/edge.gz', size: 5, version: 'v5' };
    index.record({ ...edge, readFor: '2024-01-01..2024-01-31' });
    index.record({ ...edge, readFor: '2024-03-01..2024-04-30' });
    expect(version(index)).toBe(3);
    const back = ObjectIndex.decode(index.encode());
    expect(back.countedFor(edge)).toBe('2024-01-01..2024-01-31,2024-03-01..2024-04-30');
    // A run inside either range skips it; one over the gap, or across a range's end, reads it.
    expect(['2024-01-05..2024-01-06', '2024-03-01..2024-04-30'].map((days) => back.isUnchanged(edge, days))).toEqual([true, true]);
    expect(['2024-02-01..2024-02-29', '2024-01-31..2024-03-01', undefined].map((days) => back.isUnchanged(edge, days))).toEqual([false, false, false]);
    // February fills the gap: one range from then on; then every day: the entry drops its days (version 1).
    back.record({ ...edge, readFor: '2024-02-01..2024-02-29' });
    expect(back.countedFor(edge)).toBe('2024-01-01..2024-04-30');
    expect(version(back)).toBe(2);
    back.record({ ...edge, readFor: '..2023-12-31' });
    back.record({ ...edge, readFor: '2024-05-01..' });
    expect(back.countedFor(edge)).toBeUndefined();
    expect(version(back)).toBe(1);
  });

  it('joinedDays: ranges in order, joined when they overlap or adjoin, an empty side unbounded', () => {
    expect(joinedDays('2024-01-01..2024-01-31', '2024-02-01..2024-02-29')).toBe('2024-01-01..2024-02-29');
    expect(joinedDays('2024-03-01..2024-03-31', '2024-01-01..2024-01-31')).toBe('2024-01-01..2024-01-31,2024-03-01..2024-03-31');
    expect(joinedDays('2024-01-01..2024-01-31,2024-03-01..2024-03-31', '2024-01-20..2024-02-29')).toBe('2024-01-01..2024-03-31');
    expect(joinedDays('..2024-01-31', '2024-01-10..2024-01-12')).toBe('..2024-01-31');
    expect(joinedDays('2024-02-02..', '..2024-01-31')).toBe('..2024-01-31,2024-02-02..');
    expect(joinedDays('2024-02-01..', '..2024-01-31')).toBe('..');
  });

  it('keeps the days a --from/--to run read an object for, and skips it only for runs over those days', () => {
    expect([readDaysKey(undefined, undefined), readDaysKey('2024-01-02', undefined), readDaysKey(null, '2024-03-01'), readDaysKey('2024-01-02', '2024-03-01')]).toEqual([
      undefined,
      '2024-01-02..',
      '..2024-03-01',
      '2024-01-02..2024-03-01',
    ]);
    const index = new ObjectIndex();
    const whole = { name: '/a/whole.gz', size: 1, version: 'v1' };
    const straddling = { name: '/a/straddling.gz', size: 2, version: 'v2' };
    const fromOnly = { name: '/a/from-only.gz', size: 3, version: 'v3' };
    index.record(whole);
    index.record({ ...straddling, readFor: '2024-01-02..2024-03-01' });
    index.record({ ...fromOnly, readFor: '2024-01-02..' });
    const back = ObjectIndex.decode(index.encode());
    // Read for every day: skipped by every run.
    for (const days of [undefined, '..2024-01-01', '2024-01-02..2024-03-01']) expect(back.isUnchanged(whole, days)).toBe(true);
    // Read for 2024-01-02..2024-03-01: skipped by runs inside those days, read again by any other.
    expect(['2024-01-02..2024-03-01', '2024-01-10..2024-01-20', '2024-03-01..2024-03-01'].map((days) => back.isUnchanged(straddling, days))).toEqual([true, true, true]);
    expect([undefined, '2024-01-01..2024-03-01', '2024-01-02..2024-03-02', '2024-01-02..', '..2024-03-01'].map((days) => back.isUnchanged(straddling, days))).toEqual([false, false, false, false, false]);
    // Read for 2024-01-02 on, with no last day: any run from 2024-01-02 on is inside.
    expect(['2024-01-02..', '2024-05-01..2024-05-02', '2024-01-01..', '..2024-05-02', undefined].map((days) => back.isUnchanged(fromOnly, days))).toEqual([true, true, false, false, false]);
    // Changed since: read again whatever the days.
    expect(back.isUnchanged({ ...straddling, version: 'v9' }, '2024-01-02..2024-03-01')).toBe(false);
  });

  it('writes version 1 until an entry has days, so older builds still read a state that does not use them', () => {
    const version = (index: ObjectIndex) => JSON.parse(gunzipSync(index.encode()).toString('utf8')).version;
    const index = new ObjectIndex();
    index.record({ name: '/a/x.gz', size: 1, version: 'v' });
    expect(version(index)).toBe(1);
    index.record({ name: '/a/y.gz', size: 1, version: 'v', readFor: '2024-01-02..' });
    expect(version(index)).toBe(2);
    // Read for every day later: the entry drops its days, and the list is version 1 again.
    index.record({ name: '/a/y.gz', size: 1, version: 'v' });
    expect(version(index)).toBe(1);
  });
});

describe('state names', () => {
  it('keep any tenant name inside one folder segment', () => {
    expect(tenantSegment('acme')).toBe('acme');
    expect(tenantSegment('..')).toBe('%2E%2E');
    expect(tenantSegment('a/b')).toBe('a%2Fb');
    expect(tenantSegment('')).toBe('%');
    expect(dayFileNames('../x', '2024-03-01', '3-abc')).toEqual({
      aggregate: 'days/%2E%2E%2Fx/2024-03-01.3-abc.agg.json',
      logIds: 'days/%2E%2E%2Fx/2024-03-01.3-abc.ids',
    });
  });

  it('accept only files under days/ or objects/ without . or .. segments', () => {
    expect(isStateFileName('days/acme/2024-03-01.1-a.agg.json')).toBe(true);
    expect(isStateFileName('objects/1-a.json.gz')).toBe(true);
    expect(isStateFileName('days/../manifest.json')).toBe(false);
    expect(isStateFileName('days/./x')).toBe(false);
    expect(isStateFileName('/etc/passwd')).toBe(false);
    expect(isStateFileName('days//x')).toBe(false);
    expect(isStateFileName('notes.txt')).toBe(false);
  });

  it('know what a state folder may hold', () => {
    for (const name of ['manifest.json', 'lock.json', 'last-run.json', 'staging-1a2b/work-1.ids', '.manifest.json.12.ab.tmp', 'days/acme/x.ids']) {
      expect([name, isStateEntry(name)]).toEqual([name, true]);
    }
    for (const name of ['notes.txt', 'data/x.json', 'manifest.json.bak']) expect([name, isStateEntry(name)]).toEqual([name, false]);
  });
});
