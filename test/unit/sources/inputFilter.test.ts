import { InputFilter, checkGlob } from '../../../src/sources/inputFilter';

describe('InputFilter', () => {
  it('by default reads all but dot files, dot folders and *.md', () => {
    const filter = new InputFilter();
    const read = ['a.ndjson', '2024/01/02/03/x.gz', 'logs/readme.txt'];
    const left = ['.DS_Store', 'a/.keep', '.git/HEAD', 'x/.cache/y/z.json', 'README.md', 'docs/guide.md'];
    expect(read.filter((p) => filter.admits(p))).toEqual(read);
    expect(left.filter((p) => filter.admits(p))).toEqual([]);
    expect(filter.leftOut).toBe(left.length);
  });

  it('matches globs without a slash by name at any depth, and globs with one against the whole path', () => {
    const filter = new InputFilter({ include: ['*.gz', 'manual/*.ndjson'], exclude: ['2023/**'] });
    expect(['a.gz', 'x/y/b.gz', 'manual/c.ndjson'].every((p) => filter.admits(p))).toBe(true);
    expect(['c.ndjson', 'x/manual/c.ndjson', '2023/01/01/a.gz'].some((p) => filter.admits(p))).toBe(false);
  });

  it('an empty exclusion list reads dot files too', () => {
    expect(new InputFilter({ exclude: [] }).admits('.hidden/x.json')).toBe(true);
  });

  it('says what is wrong with a pattern', () => {
    expect(checkGlob('')).toBe('an empty pattern');
    expect(checkGlob('/abs/*.gz')).toMatch(/^an absolute pattern/);
    expect(checkGlob('2024/**/*.gz')).toBeUndefined();
  });
});
