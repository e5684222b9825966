import { NO_DATE, NO_TYPE, normalizeRecord, parseIsoDate } from '../../../src/decode/normalize';

const ID = '90020250508083910862978000000000000001223372036854918178';
const BASE = { date: '2025-05-08T08:39:10.838Z', type: 'seccft', log_id: ID };

describe('normalizeRecord', () => {
  it('keeps the fields the rollups read', () => {
    const record = {
      ...BASE,
      tenant_name: 'lozano',
      hostname: 'lozano.eu.auth0.com',
      client_id: 'QAxE5Z8LrvmQ2jxlzzEACeo39hO3xjFV',
      client_name: 'My_M2M_App',
      audience: 'https://api.example/',
      user_id: 'auth0|1',
      description: 'ignored',
    };
    expect(normalizeRecord(record, undefined, 'default')).toEqual({
      logId: ID,
      dateMs: Date.UTC(2025, 4, 8, 8, 39, 10, 838),
      type: 'seccft',
      tenant: 'lozano',
      hostname: 'lozano.eu.auth0.com',
      clientId: 'QAxE5Z8LrvmQ2jxlzzEACeo39hO3xjFV',
      clientName: 'My_M2M_App',
      audience: 'https://api.example/',
      userId: 'auth0|1',
    });
  });

  it('uses empty strings for missing or null optional fields', () => {
    expect(normalizeRecord({ ...BASE, client_id: null }, undefined, 'd')).toEqual({
      logId: ID, dateMs: Date.UTC(2025, 4, 8, 8, 39, 10, 838), type: 'seccft', tenant: 'd',
      hostname: '', clientId: '', clientName: '', audience: '', userId: '',
    });
  });

  it('prefers type_code over a rewritten readable type', () => {
    const record = { ...BASE, type: 'Success Exchange (Client Credentials)', type_code: 'seccft' };
    expect(normalizeRecord(record, undefined, 'd')).toMatchObject({ type: 'seccft' });
    expect(normalizeRecord({ ...BASE, type: 's', type_code: '' }, undefined, 'd')).toMatchObject({ type: 's' });
    expect(normalizeRecord({ ...BASE, type: 's', type_code: 7 }, undefined, 'd')).toMatchObject({ type: 's' });
  });

  it('rejects a record without a usable type', () => {
    expect(normalizeRecord({ date: BASE.date, log_id: ID }, undefined, 'd')).toEqual({ reason: 'rejected: no type' });
    expect(normalizeRecord({ ...BASE, type: '' }, undefined, 'd')).toBe(NO_TYPE);
    expect(normalizeRecord({ ...BASE, type: 3 }, undefined, 'd')).toBe(NO_TYPE);
  });

  it('rejects a record without a parseable ISO 8601 date', () => {
    const { date: _date, ...noDate } = BASE;
    expect(normalizeRecord(noDate, undefined, 'd')).toEqual({ reason: 'rejected: no parseable date' });
    for (const date of ['yesterday', '2025-13-45T00:00:00Z', '1715157550838', 1715157550838, null, ['2025-05-08'], 'May 8 2025']) {
      expect(normalizeRecord({ ...BASE, date }, undefined, 'd')).toBe(NO_DATE);
    }
  });

  it('takes log_id, else the envelope log_id, else _id, else id', () => {
    const { log_id: _omit, ...noLogId } = BASE;
    expect(normalizeRecord({ ...BASE, _id: 'b', id: 'c' }, 'outer', 'd')).toMatchObject({ logId: ID });
    expect(normalizeRecord({ ...noLogId, _id: 'b', id: 'c' }, 'outer', 'd')).toMatchObject({ logId: 'outer' });
    expect(normalizeRecord({ ...noLogId, _id: 'b', id: 'c' }, undefined, 'd')).toMatchObject({ logId: 'b' });
    expect(normalizeRecord({ ...noLogId, id: 'c' }, undefined, 'd')).toMatchObject({ logId: 'c' });
    expect(normalizeRecord({ ...noLogId, log_id: '', id: 'c' }, null, 'd')).toMatchObject({ logId: 'c' });
  });

  it('accepts a record with no id at all', () => {
    const { log_id: _omit, ...noLogId } = BASE;
    expect(normalizeRecord(noLogId, undefined, 'd')).toMatchObject({ logId: null, type: 'seccft' });
  });

  it('rejects a numeric id, which JSON.parse has already rounded', () => {
    expect(normalizeRecord({ ...BASE, log_id: 9.002025050808391e55 }, undefined, 'd')).toEqual({ reason: 'rejected: log_id is not a string' });
    const { log_id: _omit, ...noLogId } = BASE;
    expect(normalizeRecord(noLogId, 12345, 'd')).toEqual({ reason: 'rejected: log_id is not a string' });
    expect(normalizeRecord({ ...noLogId, _id: 7 }, undefined, 'd')).toEqual({ reason: 'rejected: _id is not a string' });
    expect(normalizeRecord({ ...noLogId, id: { $oid: 'x' } }, undefined, 'd')).toEqual({ reason: 'rejected: id is not a string' });
  });

  it('finds the tenant in tenant_name, else the first hostname label, else the default', () => {
    expect(normalizeRecord({ ...BASE, tenant_name: 'acme', hostname: 'other.eu.auth0.com' }, undefined, 'd')).toMatchObject({ tenant: 'acme' });
    expect(normalizeRecord({ ...BASE, tenant_name: '', hostname: 'dev-yoj8axza.au.auth0.com' }, undefined, 'd')).toMatchObject({ tenant: 'dev-yoj8axza' });
    expect(normalizeRecord({ ...BASE, hostname: 'localhost' }, undefined, 'd')).toMatchObject({ tenant: 'localhost' });
    expect(normalizeRecord({ ...BASE, hostname: '.odd' }, undefined, 'fallback')).toMatchObject({ tenant: 'fallback' });
    expect(normalizeRecord({ ...BASE, tenant_name: 5, hostname: 5 }, undefined, 'fallback')).toMatchObject({ tenant: 'fallback', hostname: '' });
  });
});

describe('parseIsoDate', () => {
  it('reads ISO 8601 instants, reading a missing offset as UTC', () => {
    expect(parseIsoDate('2024-01-15T10:30:00.000Z')).toBe(Date.UTC(2024, 0, 15, 10, 30, 0, 0));
    expect(parseIsoDate('2024-01-15T10:30:00.123456Z')).toBe(Date.UTC(2024, 0, 15, 10, 30, 0, 123));
    expect(parseIsoDate('2024-01-15T10:30:00')).toBe(Date.UTC(2024, 0, 15, 10, 30));
    expect(parseIsoDate('2024-01-15T10:30')).toBe(Date.UTC(2024, 0, 15, 10, 30));
    expect(parseIsoDate('2024-01-15T12:30:00+02:00')).toBe(Date.UTC(2024, 0, 15, 10, 30));
    expect(parseIsoDate('2024-01-15')).toBe(Date.UTC(2024, 0, 15));
    expect(parseIsoDate('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
  });

  it('returns NaN for anything else', () => {
    for (const value of ['2024-01-15 10:30:00', '15/01/2024', '2024-02-30T00:00:00Z', '2023-02-29', '2024-00-10', '2024-01-15T25:00:00Z', '', undefined, 0]) {
      expect(parseIsoDate(value)).toBeNaN();
    }
  });
});
