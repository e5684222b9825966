import { readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultSpoolDir } from '../../../src/sinks/hec/hecConfig';

// The image runs the job as uid 1000, the node base image's `node` user, whose home is /home/node: in the
// container's own layer, which `docker run --rm` discards (and a read-only root file system refuses). The README
// and the Dockerfile tell operators to mount a volume on /work, the working directory, for the default spool.
// After an exit 3 the state counts the spooled events as delivered, so the spool is their only copy: a run with
// its state on S3 and no --spool must spool under /work, not under /home/node.
const ROOT = path.resolve(__dirname, '../../..');
const NODE_USER_HOME = '/home/node';

function runtimeStage(): string {
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  return dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
}

test('the image\'s default spool, for a state on S3, is under its working directory /work', () => {
  const stage = runtimeStage();
  const env: NodeJS.ProcessEnv = { HOME: NODE_USER_HOME };
  for (const [, name, value] of stage.matchAll(/^ENV (\w+)=(.*)$/gm)) env[name!] = value;
  const workdirs = [...stage.matchAll(/^WORKDIR (.*)$/gm)].map((match) => match[1]);
  expect(workdirs.at(-1)).toBe('/work');
  // No local --state: the spool goes to the user's state directory.
  expect(defaultSpoolDir(undefined, env)).toMatch(/^\/work\//);
});
