import { HashPairs } from '../../../src/rollup/hashPairs';

/** [hi, lo] of the i-th pair pushed: distinct, and never zero, so a slot left unwritten would show. */
const pairOf = (i: number): [number, number] => [(i * 2654435761) >>> 0 || 1, i + 1];

describe('HashPairs', () => {
  it.each([0, 1, 4, 5, 8191, 8192, 8193, 30_000])('gives back the %i pairs pushed, in order', (count) => {
    const pairs = new HashPairs();
    for (let i = 0; i < count; i++) pairs.push(...pairOf(i));
    let visited = 0;
    let firstWrong = -1;
    pairs.forEach((hi, lo) => {
      const [wantHi, wantLo] = pairOf(visited);
      if (firstWrong < 0 && (hi !== wantHi || lo !== wantLo)) firstWrong = visited;
      visited++;
    });
    expect(pairs.size).toBe(count);
    expect({ visited, firstWrong }).toEqual({ visited: count, firstWrong: -1 });
  });

  it.each([
    [0, 0],
    [0, 5],
    [3, 9],
    [8190, 8194], // across the end of the first 64 KiB piece (8,192 pairs)
    [16383, 16385], // across the second's
    [29_990, 30_000],
    [0, 30_000],
  ])('forEachBetween(%i, %i) gives back those pairs, in order', (start, end) => {
    const pairs = new HashPairs();
    for (let i = 0; i < 30_000; i++) pairs.push(...pairOf(i));
    const seen: Array<[number, number]> = [];
    pairs.forEachBetween(start, end, (hi, lo) => seen.push([hi, lo]));
    expect(seen.length).toBe(end - start);
    expect(seen.findIndex(([hi, lo], k) => hi !== pairOf(start + k)[0] || lo !== pairOf(start + k)[1])).toBe(-1);
  });

  it('grows without copying what it holds: a million pairs make 8 MB of arrays and at most 64 KiB more', () => {
    const pairs = new HashPairs();
    const count = 1_000_000;
    for (let i = 0; i < count; i++) pairs.push(...pairOf(i));
    // The pairs' own 8 MB, the last piece's unused part (under 64 KiB) and the small arrays outgrown on the way to
    // the first 64 KiB piece (under 64 KiB). An array doubled to the end makes 2 x 8 MiB.
    expect(pairs.bytesAllocated).toBeGreaterThanOrEqual(count * 8);
    expect(pairs.bytesAllocated).toBeLessThan(count * 8 + 2 * 65536);
  });
});
