import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// config/crontab.example runs the job on a host, outside the image: the README asks for the image's NODE_OPTIONS
// there too ("set it the same way where you run the job outside the image"), and every flag must be one the
// command takes.
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const lines = readFileSync(path.join(ROOT, 'config', 'crontab.example'), 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));

test('the crontab sets the NODE_OPTIONS the image sets', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const image = /^ENV NODE_OPTIONS=(.*)$/m.exec(dockerfile.slice(dockerfile.lastIndexOf('\nFROM ')))![1];
  const assignments = Object.fromEntries(lines.filter((line) => /^[A-Z_]+=/.test(line)).map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
  expect(assignments.NODE_OPTIONS).toBe('--max-semi-space-size=4');
  expect(assignments.NODE_OPTIONS).toBe(image);
});

test('the crontab sets the glibc pad the image sets', () => {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  const image = /^ENV MALLOC_TOP_PAD_=(.*)$/m.exec(dockerfile.slice(dockerfile.lastIndexOf('\nFROM ')))![1];
  const assignments = lines.filter((line) => line.startsWith('MALLOC_'));
  expect(assignments).toEqual([`MALLOC_TOP_PAD_=${image}`]);
  expect(image).toBe('67108864');
});

test('every flag in the crontab is one its command takes (from the built CLI\'s help)', () => {
  const commands = lines.filter((line) => !/^[A-Z_]+=/.test(line)).map((line) => / auth0-usage ([a-z-]+) (.*?)(?: >>|$)/.exec(line)!);
  expect(commands.map((match) => match[1])).toEqual(['run', 'status']);
  for (const [, command, rest] of commands) {
    const help = spawnSync(process.execPath, [CLI, command!, '--help'], { encoding: 'utf8' }).stdout;
    for (const flag of rest!.split(/\s+/).filter((word) => word.startsWith('--'))) {
      const listed = flag.startsWith('--no-') ? [flag, `--${flag.slice(5)}`] : [flag];
      expect([command, flag, listed.some((candidate) => new RegExp(`${candidate}\\b`).test(help))]).toEqual([command, flag, true]);
    }
  }
});
