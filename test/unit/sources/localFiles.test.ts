import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalFileSource } from '../../../src/sources/localFiles';
import { InputFilter } from '../../../src/sources/inputFilter';
import { InputError, type InputObject } from '../../../src/sources/inputObject';
import { readAll } from '../../support/s3Fixtures';
import { rejectionOf } from '../../support/rejectionOf';

let root: string;

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'local-source-'));
});

afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

function write(rel: string, content: string | Buffer): string {
  const file = path.join(root, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

async function listAll(input: string, options?: ConstructorParameters<typeof LocalFileSource>[1]): Promise<InputObject[]> {
  const out: InputObject[] = [];
  for await (const o of new LocalFileSource(input, options ?? { filter: new InputFilter({ exclude: [] }) }).list()) out.push(o);
  return out;
}


describe('LocalFileSource', () => {
  it('lists one file with its size and an mtime+size version', async () => {
    const file = write('one.ndjson', '{"a":1}\n');
    fs.utimesSync(file, new Date(1_700_000_000_000), new Date(1_700_000_123_000));
    const [object, ...rest] = await listAll(file);
    expect(rest).toEqual([]);
    expect(object.name).toBe(file);
    expect(object.size).toBe(8);
    expect(object.version).toBe('1700000123000-8');
    expect((await readAll(await object.open())).toString()).toBe('{"a":1}\n');
  });

  it('reads a directory recursively, every regular file, in plain path order', async () => {
    for (const rel of ['b/2.json', 'a-c.json', 'a/z.json', 'a/b/1.json', 'B.json', '.hidden.json', 'a/ü.json', 'a/u.json']) write(rel, rel);
    const names = (await listAll(root)).map((o) => path.relative(root, o.name));
    // Code-unit order of the whole path: "-" (0x2d) sorts before "/" (0x2f), capitals before lowercase.
    expect(names).toEqual(['.hidden.json', 'B.json', 'a-c.json', 'a/b/1.json', 'a/u.json', 'a/z.json', 'a/ü.json', 'b/2.json']);
  });

  it('leaves out dot files, dot folders and READMEs by default', async () => {
    for (const rel of ['a.ndjson', '.DS_Store', '.git/objects/x', 'README.md', 'docs/notes.md', 'b/c.json.gz', 'b/.hidden/d.json']) write(rel, rel);
    const filter = new InputFilter();
    const names = (await listAll(root, { filter })).map((o) => path.relative(root, o.name));
    expect(names).toEqual(['a.ndjson', 'b/c.json.gz']);
    expect(filter.leftOut).toBe(5);
  });

  it('reads only what --include admits and --exclude does not, relative to the folder', async () => {
    for (const rel of ['2024/03/01/a.json.gz', '2024/03/02/b.json.gz', '2024/03/02/b.txt', '2023/12/31/c.json.gz', 'x.json.gz']) write(rel, rel);
    const names = async (include: string[], exclude: string[]) =>
      (await listAll(root, { filter: new InputFilter({ include, exclude }) })).map((o) => path.relative(root, o.name));
    expect(await names(['*.json.gz'], [])).toEqual(['2023/12/31/c.json.gz', '2024/03/01/a.json.gz', '2024/03/02/b.json.gz', 'x.json.gz']);
    expect(await names(['2024/**'], ['*.txt'])).toEqual(['2024/03/01/a.json.gz', '2024/03/02/b.json.gz']);
    expect(await names([], ['2024/03'])).toEqual(['2023/12/31/c.json.gz', 'x.json.gz']);
    // A file named as the input is read whatever the filter says.
    expect(await listAll(path.join(root, '2024/03/02/b.txt'), { filter: new InputFilter({ include: ['*.gz'] }) })).toHaveLength(1);
  });

  it("never lists the run's own outputs or anything in its spool folder", async () => {
    for (const rel of ['in/a.ndjson', 'in/summaries.ndjson', 'in/quarantine.ndjson', 'in/spool/batch-1.ndjson']) write(rel, rel);
    const input = path.join(root, 'in');
    const ownOutputs = [path.join(input, 'summaries.ndjson'), path.relative(process.cwd(), path.join(input, 'quarantine.ndjson')), path.join(input, 'spool')];
    const names = (await listAll(input, { ownOutputs })).map((o) => path.relative(input, o.name));
    expect(names).toEqual(['a.ndjson']);
  });

  it('follows symlinks to files and directories, and stops at a loop', async () => {
    const target = write('real/data.json', 'x');
    write('other/more.json', 'yy');
    fs.mkdirSync(path.join(root, 'in'));
    fs.symlinkSync(path.join(root, 'other', 'more.json'), path.join(root, 'in', 'link.json'));
    fs.symlinkSync(path.join(root, 'real'), path.join(root, 'in', 'dirlink'));
    fs.symlinkSync(path.join(root, 'in'), path.join(root, 'in', 'loop'));
    const objects = await listAll(path.join(root, 'in'));
    expect(objects.map((o) => path.relative(root, o.name))).toEqual(['in/dirlink/data.json', 'in/link.json']);
    expect(objects.map((o) => o.size)).toEqual([1, 2]);
    expect(fs.realpathSync(objects[0]!.name)).toBe(fs.realpathSync(target));
  });

  it('reads a file reached under two names once, under the first name in path order', async () => {
    // `latest.ndjson` links to a day's file beside it, and a hard link names another: each is one file.
    const day = write('in/2024-05-01.ndjson', 'a\n');
    fs.symlinkSync(day, path.join(root, 'in', 'latest.ndjson'));
    const other = write('in/2024-05-02.ndjson', 'bb\n');
    fs.linkSync(other, path.join(root, 'in', 'copy.ndjson'));
    fs.symlinkSync(path.join(root, 'in'), path.join(root, 'in', 'again'));
    const objects = await listAll(path.join(root, 'in'));
    expect(objects.map((o) => path.relative(root, o.name))).toEqual(['in/2024-05-01.ndjson', 'in/2024-05-02.ndjson']);
  });

  it('reads a file reached through two inputs once, under the first input that lists it', async () => {
    // `--input in --input in-link --input in/a.ndjson`: the resolver gives every local input one set of files listed.
    write('in/a.ndjson', 'a\n');
    write('in/b.ndjson', 'b\n');
    fs.symlinkSync(path.join(root, 'in'), path.join(root, 'in-link'));
    const listedFiles = new Set<string>();
    const options = { filter: new InputFilter({ exclude: [] }), listedFiles };
    const listed = async (input: string) => {
      const source = new LocalFileSource(path.join(root, input), options);
      const names: string[] = [];
      for await (const o of source.list()) names.push(path.relative(root, o.name));
      return [names, source.listedByAnotherInput];
    };
    expect(await listed('in')).toEqual([['in/a.ndjson', 'in/b.ndjson'], 0]);
    expect(await listed('in-link')).toEqual([[], 2]);
    expect(await listed('in/a.ndjson')).toEqual([[], 1]);
    // Without a shared set each input lists its own files.
    expect((await listAll(path.join(root, 'in-link'))).map((o) => path.relative(root, o.name))).toEqual(['in-link/a.ndjson', 'in-link/b.ndjson']);
  });

  it('with --from/--to, leaves out files whose path below the folder names a day outside them by more than one', async () => {
    // Firehose's layout copied to disk; the folder's own path holds a date, which says nothing about its files.
    const input = path.join(root, '2020/01/01/copy');
    const file = (rel: string) => write(path.join('2020/01/01/copy', rel), '{}\n');
    file('2024/02/27/23/a.gz');
    file('2024/02/28/00/b.gz'); // the day before --from: records of 02-29 may sit here
    file('2024/03/01/c.gz');
    file('2024/03/02/d.gz'); // the day after --to
    file('2024/03/03/e.gz');
    file('manifest.json'); // no date: always read
    file('2024/02/30/odd.gz'); // not a date: always read
    const names = (await listAll(input, { filter: new InputFilter({ exclude: [] }), dayRange: { from: '2024-02-29', to: '2024-03-01' } })).map((o) => path.relative(input, o.name));
    expect(names).toEqual(['2024/02/28/00/b.gz', '2024/02/30/odd.gz', '2024/03/01/c.gz', '2024/03/02/d.gz', 'manifest.json']);
    // A file named as the input is read whatever its path says.
    expect(await listAll(path.join(input, '2024/03/03/e.gz'), { dayRange: { from: '2024-02-29', to: '2024-03-01' } })).toHaveLength(1);
  });

  it('yields nothing for an empty directory', async () => {
    expect(await listAll(root)).toEqual([]);
  });

  it('names a missing path in a one-line InputError', async () => {
    const missing = path.join(root, 'x', 'y');
    const err = await rejectionOf(listAll(missing));
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`cannot read input ${missing}: no such file or directory`);
  });

  it('names a dangling symlink instead of skipping it', async () => {
    fs.symlinkSync(path.join(root, 'gone.json'), path.join(root, 'dangling.json'));
    const err = await rejectionOf(listAll(root));
    expect(err.message).toBe(`cannot read input ${path.join(root, 'dangling.json')}: no such file or directory`);
  });

  it('rejects open() with an InputError when the file went away after listing', async () => {
    const file = write('soon-gone.json', '{}');
    const [object] = await listAll(file);
    fs.unlinkSync(file);
    const err = await rejectionOf(object.open());
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toBe(`cannot read input ${file}: no such file or directory`);
  });

  it('names a path through a file as not a directory', async () => {
    const file = write('plain.json', '{}');
    const err = await rejectionOf(listAll(path.join(file, 'inner')));
    expect(err.message).toBe(`cannot read input ${path.join(file, 'inner')}: a path component is not a directory`);
  });
});

describe("the job's own temporary output files", () => {
  test('are skipped wherever they lie, while look-alike names are read', async () => {
    write('logs/a.ndjson', '{}\n');
    // What NdjsonWriter leaves beside `summaries.ndjson` while writing it (process 4242), at any depth.
    write('logs/.summaries.ndjson.4242.tmp', '{}\n');
    write('logs/deep/.quarantine.ndjson.7.tmp', '{}\n');
    // Not of that shape: no leading dot, no pid, or another suffix.
    write('logs/summaries.ndjson.4242.tmp', '{}\n');
    write('logs/.summaries.ndjson.tmp', '{}\n');
    write('logs/.summaries.4242.tmp.gz', '{}\n');
    const names = (await listAll(path.join(root, 'logs'))).map((o) => path.relative(root, o.name));
    expect(names).toEqual(['logs/.summaries.4242.tmp.gz', 'logs/.summaries.ndjson.tmp', 'logs/a.ndjson', 'logs/summaries.ndjson.4242.tmp']);
  });
});

test('a symlink to a FIFO or a device is not an archive: left out like the FIFO itself', async () => {
  write('in/a.ndjson', 'a\n');
  execFileSync('mkfifo', [path.join(root, 'fifo')]);
  fs.symlinkSync(path.join(root, 'fifo'), path.join(root, 'in', 'pipe.ndjson'));
  fs.symlinkSync('/dev/null', path.join(root, 'in', 'null.ndjson'));
  const objects = await listAll(path.join(root, 'in'));
  expect(objects.map((o) => path.relative(root, o.name))).toEqual(['in/a.ndjson']);
});
