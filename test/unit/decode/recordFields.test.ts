import { Readable } from 'node:stream';
import { type DecodeStats, decodeItem, decodeStream } from '../../../src/decode/decodeStream';
import { closeDecodeWorkers, decodeStreamInWorker } from '../../../src/decode/decodeWorkerPool';
import { FastRecordReader } from '../../../src/decode/fastRecord';
import { hashLogIdInto } from '../../../src/decode/logIdHash';
import type { DecodeSink, LogRecord } from '../../../src/decode/logRecord';
import { isRejection } from '../../../src/decode/normalize';
import { RecordBatchReader, RecordBatchWriter } from '../../../src/decode/recordBatch';
import { LogIdNotSentError, type RecordFieldsRead } from '../../../src/decode/recordFields';
import { SpanCache, definedSlot } from '../../../src/decode/spanCache';
import { loadConfig } from '../../../src/config/loadConfig';
import { DayRollup } from '../../../src/rollup/dayRollup';
import { DayStore } from '../../../src/rollup/dayStore';
import { generateArchiveText, gzipArchive, randomChunks, seededRandom } from './archiveGenerator';

/** Logins count active users, client-credentials grants feed M2M buckets; `slo` (a logout) needs neither. */
const READ: RecordFieldsRead = { userIdTypes: ['s', 'ss'], clientTypes: ['seccft', 'feccft'], logIdText: false };

const FULL = {
  log_id: '90020240101000000000000000000000000000000000000000000001',
  date: '2024-01-01T10:00:00.000Z',
  hostname: 'acme.eu.auth0.com',
  client_id: 'cid-1',
  client_name: 'App One',
  audience: 'https://api.example/',
  user_id: 'auth0|u1',
};

/** What a summary gets of `item` when it reads `fields`: the omitted fields are "". */
function expected(item: Record<string, unknown>, user: boolean, client: boolean) {
  const record = decodeItem(item, 'dflt');
  if (isRejection(record)) throw new Error(record.reason);
  return {
    dateMs: record.dateMs, type: record.type, tenant: record.tenant, hostname: record.hostname,
    clientId: client ? record.clientId : '', clientName: client ? record.clientName : '', audience: client ? record.audience : '', userId: user ? record.userId : '',
  };
}

function fieldsOf(record: LogRecord) {
  const { dateMs, type, tenant, hostname, clientId, clientName, audience, userId } = record;
  return { dateMs, type, tenant, hostname, clientId, clientName, audience, userId };
}

/** The record's fields that READ says are read (the others as ""). */
function asRead(record: LogRecord) {
  const user = READ.userIdTypes.includes(record.type);
  const client = READ.clientTypes.includes(record.type);
  return { ...fieldsOf(record), clientId: client ? record.clientId : '', clientName: client ? record.clientName : '', audience: client ? record.audience : '', userId: user ? record.userId : '' };
}

function readFast(reader: FastRecordReader, item: Record<string, unknown>): LogRecord {
  const buf = Buffer.from(`${JSON.stringify(item)}\n`);
  expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);
  return reader.toLogRecord(buf);
}

describe('FastRecordReader given the fields read', () => {
  it('reads user ids only of the user types, client fields only of the client types, and all of both otherwise', () => {
    const reader = new FastRecordReader('dflt', READ);
    const everything = new FastRecordReader('dflt');
    for (const [type, user, client] of [['s', true, false], ['ss', true, false], ['seccft', false, true], ['feccft', false, true], ['slo', false, false]] as const) {
      const item = { ...FULL, type };
      expect(fieldsOf(readFast(reader, item))).toEqual(expected(item, user, client));
      expect(fieldsOf(readFast(everything, item))).toEqual(expected(item, true, true));
    }
    // An escaped type is matched by its decoded text; a type_code (an extension's archive) wins over the type.
    expect(fieldsOf(readFast(reader, JSON.parse(`{"type":"\\u0073",${JSON.stringify(FULL).slice(1)}`)))).toEqual(expected({ ...FULL, type: 's' }, true, false));
    const renamed = { ...FULL, type: 'Success Login', type_code: 'seccft' };
    expect(fieldsOf(readFast(reader, renamed))).toEqual(expected(renamed, false, true));
    // A type too long for the cache is matched every time it comes.
    const long = 'x'.repeat(70);
    const longReader = new FastRecordReader('dflt', { ...READ, userIdTypes: [long] });
    for (const type of [long, 's', long]) expect(fieldsOf(readFast(longReader, { ...FULL, type }))).toEqual(expected({ ...FULL, type }, type === long, false));
  });

  it('works out a type\'s fields afresh when another type takes its cache slot', () => {
    // Two type codes that the cache puts in the same slot, found with a cache of its own: each evicts the other.
    const cache = new SpanCache();
    const slotOf = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined; i++) {
      const type = `t${i}`;
      const slot = definedSlot(cache.lookUp(Buffer.from(type), 0, type.length));
      const other = slotOf.get(slot);
      if (other !== undefined) pair = [other, type];
      slotOf.set(slot, type);
    }
    const [user, neither] = pair;
    const reader = new FastRecordReader('dflt', { userIdTypes: [user], clientTypes: [], logIdText: false });
    for (const type of [user, neither, user, user, neither, neither, user]) {
      const item = { ...FULL, type };
      expect(fieldsOf(readFast(reader, item))).toEqual(expected(item, type === user, false));
    }
  });

  it('works out a type\'s fields afresh when the tenant or host name of its record takes the type\'s cache slot', () => {
    // A type and a name that the cache puts in the same slot: the name, read after the type, evicts it. A later
    // record whose type is that name must not get the fields worked out for the evicted type.
    const cache = new SpanCache();
    const slotOfUser = definedSlot(cache.lookUp(Buffer.from('s'), 0, 1));
    let other = '';
    for (let i = 0; other === ''; i++) {
      if (definedSlot(cache.lookUp(Buffer.from(`t${i}`), 0, `t${i}`.length)) === slotOfUser) other = `t${i}`;
    }
    const reader = new FastRecordReader('dflt', { userIdTypes: ['s'], clientTypes: [], logIdText: false });
    for (const evicting of [{ tenant_name: 's' }, { hostname: 's.example.com' }, { hostname: 's' }]) {
      const first = { ...FULL, ...evicting, type: other };
      expect(fieldsOf(readFast(reader, first))).toEqual(expected(first, false, false));
      const login = { ...FULL, type: 's' };
      expect(fieldsOf(readFast(reader, login))).toEqual(expected(login, true, false));
    }
  });
});

describe('RecordBatchWriter without log_id texts', () => {
  it('sends each log_id as its hash alone, and a record refuses to give the text it did not get', () => {
    const ids = Array.from({ length: 300 }, (_, i) => `900${String(i * 7919).padStart(53, '0')}`);
    const reader = new FastRecordReader('dflt', READ);
    const writer = new RecordBatchWriter(false);
    for (const id of ids) {
      const buf = Buffer.from(`${JSON.stringify({ ...FULL, type: 's', log_id: id })}\n`);
      expect(reader.read(buf, 0, buf.length - 1)).toBe(buf.length - 1);
      writer.addFast(reader, buf);
    }
    const message = writer.take(1);
    expect(message.idBytes.byteLength).toBe(0);
    const records: LogRecord[] = [];
    new RecordBatchReader().read(message, (r) => records.push(r));
    const hash = new Uint32Array(2);
    expect(records.map((r) => [r.logIdHi, r.logIdLo])).toEqual(ids.map((id) => (hashLogIdInto(id, hash), [hash[0], hash[1]])));
    expect(() => records[0]!.logId).toThrow(LogIdNotSentError);
  });
});

describe('DayRollup.fieldsRead', () => {
  it('names the types of the categories that count active users and the M2M categories, and no log_id text', () => {
    const config = loadConfig();
    const rollup = new DayRollup({ config, timezone: 'UTC', store: new DayStore({ scratchDir: '/nonexistent' }) });
    const { userIdTypes, clientTypes, logIdText } = rollup.fieldsRead;
    // config/default.json: login_success ["s"], signup_success ["ss"], m2m_token ["seccft"], m2m_token_failure ["feccft"].
    expect([...userIdTypes].sort()).toEqual(['s', 'ss']);
    expect([...clientTypes].sort()).toEqual(['feccft', 'seccft']);
    expect(logIdText).toBe(false);
  });
});

describe('decodeStreamInWorker given the fields read', () => {
  afterAll(() => closeDecodeWorkers());

  // Records the fast path declines go the general way with every field: compared as a summary sees them.
  it('gives decodeStream\'s records as a summary reads them, with the log_ids as their hashes', async () => {
    const wrongHashes: string[] = [];
    let records = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const rnd = seededRandom(900 + seed);
      const bytes = gzipArchive(rnd, Buffer.from(generateArchiveText(rnd, 60)), false);
      const chunks = randomChunks(seededRandom(seed), bytes, false);
      const want: unknown[] = [];
      await collect(decodeStream, chunks, undefined, (record) => want.push({ ...asRead(record), id: record.logId }));
      const got: unknown[] = [];
      const hash = new Uint32Array(2);
      await collect(decodeStreamInWorker, chunks, READ, (record) => {
        let id: string | null = null;
        if (record.logIdHi === undefined) id = record.logId;
        else {
          // The reference's id, looked up by position, must hash to what was sent.
          const reference = (want[got.length] as { id: string | null }).id;
          hashLogIdInto(reference ?? '', hash);
          if (reference === null || hash[0] !== record.logIdHi || hash[1] !== record.logIdLo) wrongHashes.push(String(reference));
          id = reference;
        }
        got.push({ ...asRead(record), id });
      });
      expect(got).toEqual(want);
      records += got.length;
    }
    expect(wrongHashes).toEqual([]);
    expect(records).toBeGreaterThan(300);
  });
});

type Decoder = (input: Readable, options: { source: string; defaultTenant: string; fieldsRead?: RecordFieldsRead }, sink: DecodeSink) => Promise<DecodeStats>;

async function collect(decode: Decoder, chunks: Buffer[], fieldsRead: RecordFieldsRead | undefined, onRecord: (record: LogRecord) => void): Promise<void> {
  await decode(Readable.from(chunks), { source: 'fields', defaultTenant: 'dflt', ...(fieldsRead ? { fieldsRead } : {}) }, { record: onRecord, quarantine: () => undefined });
}
