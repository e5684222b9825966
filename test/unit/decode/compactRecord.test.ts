import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { compactRecordLine } from '../../../src/decode/compactRecord';
import { decodeStream } from '../../../src/decode/decodeStream';
import type { LogRecord } from '../../../src/decode/logRecord';

// A shard stores each record as compactRecordLine() and the merge decodes those lines with the ordinary decoder:
// every record must come back identical, or the merge would count differently from a single run.
async function decode(bytes: Buffer, defaultTenant = 'dflt'): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  await decodeStream(Readable.from([bytes]), { source: 'test', defaultTenant }, { record: (r) => records.push({ ...r }), quarantine: () => {} });
  return records;
}

const roundTrip = async (records: LogRecord[], defaultTenant = 'dflt') =>
  decode(gzipSync(records.map((r) => `${compactRecordLine(r)}\n`).join('')), defaultTenant);

const ID = '90020240301100000000000000000000000000000000000000000017';

test('edge cases read back identical, with the values worked out by hand', async () => {
  const items = [
    // tenant from the hostname's first label; a date with an offset and tenths of a second
    { log_id: ID, date: '2024-03-01T10:00:00.5+01:00', type: 's', hostname: 'acme.eu.auth0.com', user_id: 'auth0|ü😀"\\' },
    // no tenant_name nor hostname: the default tenant; an _id; microseconds are cut to milliseconds
    { _id: 'abc', date: '2024-03-01T23:59:59.999999Z', type: 'seccft', client_id: 'c1', audience: 'https://api/' },
    // type_code over a readable type; an empty hostname label falls back to the default tenant
    { log_id: '1', date: '0001-01-01T00:00:00.000Z', type: 'Success Login', type_code: 's', hostname: '.odd' },
    // a lone surrogate and control characters survive; no id at all stays null
    { date: '2024-02-29', type: 'f', tenant_name: 'globex', client_name: 'bad \ud800 name\u0001\n' },
  ];
  const originals = await decode(Buffer.from(items.map((item) => JSON.stringify(item)).join('\n')));
  expect(originals.map((r) => [r.logId, r.dateMs, r.type, r.tenant, r.hostname])).toEqual([
    [ID, Date.UTC(2024, 2, 1, 9, 0, 0, 500), 's', 'acme', 'acme.eu.auth0.com'],
    ['abc', Date.UTC(2024, 2, 1, 23, 59, 59, 999), 'seccft', 'dflt', ''],
    // 0001-01-01 is 719,162 days before 1970-01-01
    ['1', -719_162 * 86_400_000, 's', 'dflt', '.odd'],
    [null, Date.UTC(2024, 1, 29), 'f', 'globex', ''],
  ]);
  expect(await roundTrip(originals)).toEqual(originals);
});

test('every record of the format fixtures reads back identical', async () => {
  const dir = path.resolve(__dirname, '../../../fixtures/formats');
  const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => !name.endsWith('.md') && statSync(path.join(dir, name)).isFile());
  let total = 0;
  for (const name of files) {
    const originals = await decode(readFileSync(path.join(dir, name)));
    total += originals.length;
    expect([name, await roundTrip(originals)]).toEqual([name, originals]);
  }
  expect(total).toBeGreaterThan(20);
});

test('lines compressed as separate gzip members read back as one stream, in order', async () => {
  const record = (n: number): LogRecord => ({ logId: String(n), dateMs: Date.UTC(2024, 2, 1, 0, 0, n), type: 's', tenant: 'acme', hostname: '', clientId: '', clientName: '', audience: '', userId: `u${n}` });
  const members = Buffer.concat([1, 2, 3].map((n) => gzipSync(`${compactRecordLine(record(n))}\n`)));
  expect(await decode(members)).toEqual([record(1), record(2), record(3)]);
});
