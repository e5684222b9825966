import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { StateError, StateIoError, stateReadFailure } from '../../../src/state/stateErrors';
import { exitCodeOf } from '../../../src/support/errors';
import { testTempDir } from '../../support/testTempDir';

const DAMAGED = ': restore the state from a backup, or build a new state with a backfill';

function readError(file: string): unknown {
  try {
    readFileSync(file);
  } catch (error) {
    return error;
  }
  throw new Error(`${file} was read`);
}

describe('stateReadFailure', () => {
  const dir = testTempDir('state-read-');

  test('a file that is not there, or not a file, is damage: restore or rebuild (exit 2)', () => {
    mkdirSync(path.join(dir, 'days'));
    for (const [name, code] of [['gone.ids', 'ENOENT'], ['days', 'EISDIR']] as const) {
      const failure = stateReadFailure('/srv/state', name, readError(path.join(dir, name)));
      expect(failure).toBeInstanceOf(StateError);
      expect([failure.message, failure.code, exitCodeOf(failure)]).toEqual([`the state /srv/state is incomplete: ${name}: ${code}${DAMAGED}`, 'ERR_STATE', 2]);
    }
  });

  // EACCES needs a user other than root to be met for real, and EMFILE a process out of descriptors: the errors
  // are made as Node makes them (an Error with its errno code).
  test('any other read error is the state\'s I/O, without the advice to rebuild: the next run may not meet it (exit 1)', () => {
    for (const code of ['EACCES', 'EMFILE', 'EIO']) {
      const failure = stateReadFailure('s3://bucket/state/', 'days/acme/2024-03-01.1-abc.ids', Object.assign(new Error(`${code}: failed`), { code }));
      expect(failure).toBeInstanceOf(StateIoError);
      expect([failure.message, failure.code, exitCodeOf(failure)]).toEqual([`cannot read days/acme/2024-03-01.1-abc.ids of the state s3://bucket/state/: ${code}`, 'ERR_STATE_IO', 1]);
    }
  });
});
