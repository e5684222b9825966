import { LogIdSet } from '../../../src/rollup/logIdSet';
import { seededRandom } from './rollupTestKit';

/**
 * Realistic log_ids: "900" + UTC timestamp + 39 digits, with many ids per second, so ids share long prefixes.
 * The serial `i` is part of every id, so all generated ids are distinct by construction.
 */
function* realisticIds(count: number): Generator<string> {
  const random = seededRandom(7);
  // Bound once, and template literals rather than String(): this loop runs millions of times, and inside Jest's vm
  // context every global look-up (Math, String) goes through the context's interceptor.
  const { floor } = Math;
  let ms = Date.UTC(2025, 4, 8, 8, 39, 10);
  let second = -1;
  let stamp = '';
  for (let i = 0; i < count; i++) {
    ms += floor(random() * 4);
    if (floor(ms / 1000) !== second) {
      second = floor(ms / 1000);
      stamp = new Date(ms).toISOString().replace(/\D/g, '').slice(0, 14);
    }
    const millis = `${ms % 1000}`.padStart(3, '0');
    const noise = `${floor(random() * 1000)}`.padStart(3, '0');
    yield `900${stamp}${millis}${noise}000000000000000${'12233720368'}${`${i}`.padStart(7, '0')}`;
  }
}

// 400,000 ids: were the 64-bit hash no better than a 32-bit one, n²/2³³ ≈ 19 pairs of them would collide.
const IDS = 400_000;

describe('LogIdSet', () => {
  it('keeps 400,000 distinct realistic ids apart (no false duplicates) and still recognizes repeats', () => {
    const set = new LogIdSet();
    let falseDuplicates = 0;
    let badLengths = 0;
    const sample: string[] = [];
    let n = 0;
    for (const id of realisticIds(IDS)) {
      if (id.length !== 56) badLengths++;
      if (!set.claim(id)) falseDuplicates++;
      if (n++ % 97 === 0) sample.push(id);
    }
    expect(badLengths).toBe(0);
    expect(falseDuplicates).toBe(0);
    expect(set.size).toBe(IDS);
    expect(set.capacity).toBeGreaterThanOrEqual(2 * IDS);
    // Real repeats are still recognized.
    expect(sample.filter((id) => set.claim(id))).toEqual([]);
    expect(sample.every((id) => set.has(id))).toBe(true);
    expect(set.size).toBe(IDS);
  });

  it('keeps 400,000 ids that differ only in their last digits apart', () => {
    const set = new LogIdSet();
    let falseDuplicates = 0;
    for (let i = 0; i < IDS; i++) {
      if (!set.claim(`90020240101000000${`${i}`.padStart(39, '0')}`)) falseDuplicates++;
    }
    expect(falseDuplicates).toBe(0);
    expect(set.size).toBe(IDS);
  });

  it('claims once, releases, and claims again', () => {
    const set = new LogIdSet(16);
    const id = '90020211104001514276223441402873466602396154780480176194';
    expect(set.claim(id)).toBe(true);
    expect(set.claim(id)).toBe(false);
    expect(set.has(id)).toBe(true);
    expect(set.release(id)).toBe(true);
    expect(set.release(id)).toBe(false);
    expect(set.has(id)).toBe(false);
    expect(set.size).toBe(0);
    expect(set.claim(id)).toBe(true);
  });

  it('stores the hash that marks empty slots as an ordinary member', () => {
    const set = new LogIdSet(16);
    expect(set.claimHash(0, 0)).toBe(true);
    expect(set.claimHash(0, 0)).toBe(false);
    expect(set.hasHash(0, 0)).toBe(true);
    expect(set.size).toBe(1);
    expect(set.releaseHash(0, 0)).toBe(true);
    expect(set.size).toBe(0);
  });

  it('behaves like a Set under random claims and releases, through growth and clustered deletions', () => {
    const random = seededRandom(2024);
    const pool = Array.from({ length: 3000 }, (_, i) => `900202401010000${String(i * 7919).padStart(41, '0')}`);
    const set = new LogIdSet(16);
    const reference = new Set<string>();
    const disagreements: string[] = [];
    for (let step = 0; step < 60_000; step++) {
      const id = pool[Math.floor(random() * pool.length)];
      const op = random();
      if (op < 0.5) {
        if (set.claim(id) !== !reference.has(id)) disagreements.push(`claim ${step}`);
        reference.add(id);
      } else if (op < 0.8) {
        if (set.release(id) !== reference.delete(id)) disagreements.push(`release ${step}`);
      } else if (set.has(id) !== reference.has(id)) {
        disagreements.push(`has ${step}`);
      }
    }
    expect(disagreements).toEqual([]);
    expect(set.size).toBe(reference.size);
    for (const id of pool) expect(set.has(id)).toBe(reference.has(id));
  });

  it('reads back from toTable() the same set, which then claims and releases as before', () => {
    const set = new LogIdSet(16);
    const ids = Array.from({ length: 5_000 }, (_, i) => String(i * 7919).padStart(56, '9'));
    for (const id of ids) set.claim(id);
    for (const id of ids.slice(0, 1_000)) set.release(id); // holes and moved entries in the table
    set.claimHash(0, 0); // stored as (0, 1)
    const back = LogIdSet.fromTable(set.toTable());
    expect([back.size, back.capacity]).toEqual([4_001, set.capacity]);
    for (const id of ids) expect(back.has(id)).toBe(set.has(id));
    expect(back.hasHash(0, 0)).toBe(true);
    expect(back.claim(ids[0]!)).toBe(true);
    expect(back.claim(ids[4_999]!)).toBe(false);
    expect(back.release(ids[2_000]!)).toBe(true);
    expect(back.has(ids[2_000]!)).toBe(false);
    expect(set.has(ids[2_000]!)).toBe(true); // a copy, not a view
  });

  it('keeps its table in one typed array, the two halves of a slot side by side, also once grown', () => {
    const set = new LogIdSet(16);
    const pairsOf = (s: LogIdSet) => {
      const table = s.toTable();
      const words = Array.from({ length: (table.length - 8) / 4 }, (_, i) => table.readUInt32LE(8 + 4 * i));
      return Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i], words[2 * i + 1]]).filter(([hi, lo]) => hi !== 0 || lo !== 0);
    };
    set.claimHash(0x11111111, 0x22222222);
    expect(pairsOf(set)).toEqual([[0x11111111, 0x22222222]]);
    for (let i = 1; i <= 20; i++) set.claimHash(0x30000000 + i, 0x40000000 + i); // 21 ids: grown from 16 to 64 slots
    expect(set.capacity).toBe(64);
    const pairs = pairsOf(set);
    expect(pairs).toHaveLength(21);
    expect(pairs).toContainEqual([0x11111111, 0x22222222]);
    expect(pairs).toContainEqual([0x30000014, 0x40000014]);
    expect(Object.values(set).filter((value) => ArrayBuffer.isView(value))).toHaveLength(1);
  });

  it('tells where its table ends among bytes that go on (a scratch file: the table, then the figures)', () => {
    const set = new LogIdSet(16);
    for (let i = 1; i <= 9; i++) set.claimHash(i, i); // 9 ids: 16 slots would be over half full, so 32
    const file = Buffer.concat([set.toTable(), Buffer.from('{"events":9}')]);
    expect(LogIdSet.tableBytesAt(file)).toBe(8 + 32 * 8);
    expect(LogIdSet.fromTable(file.subarray(0, 264)).size).toBe(9);
    expect(file.toString('utf8', 264)).toBe('{"events":9}');
    expect(() => LogIdSet.tableBytesAt(file.subarray(0, 7))).toThrow('not a log_id table: 7 bytes');
  });

  it('refuses bytes that are not a table', () => {
    const table = new LogIdSet(16).toTable();
    expect(() => LogIdSet.fromTable(table.subarray(0, table.length - 1))).toThrow('not a log_id table');
    const full = Buffer.from(table);
    full.writeUInt32LE(9, 0); // 9 ids in 16 slots: more than half full
    expect(() => LogIdSet.fromTable(full)).toThrow('not a log_id table: 136 bytes for 16 slots and 9 ids');
  });
});
