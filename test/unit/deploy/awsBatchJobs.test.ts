import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AssignPublicIp,
  EFSTransitEncryption,
  JobDefinitionType,
  LogDriver,
  PlatformCapability,
  RegisterJobDefinitionRequest$,
  ResourceType,
  RetryAction,
  SubmitJobRequest$,
} from '@aws-sdk/client-batch';
import { shapeProblems } from './awsBatchShape';
import { expectAccepted, runAsDeployed } from './deployedArgs';

// config/aws-batch/: the job definition and the two submit-job inputs of a sharded backfill on AWS Batch, checked
// against the request schemas and enums of the AWS SDK (@aws-sdk/client-batch) and against what the backfill needs.
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const read = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'config', 'aws-batch', name), 'utf8'));
const definition = read('job-definition.json');
const shards = read('submit-shards.json');
const merge = read('submit-merge.json');
const flag = (command: string[], name: string) => command.find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);

test('each file is a request the AWS SDK\'s schema takes: known members only, required ones present, typed right', () => {
  expect(shapeProblems(definition, RegisterJobDefinitionRequest$)).toEqual([]);
  expect(shapeProblems(shards, SubmitJobRequest$)).toEqual([]);
  expect(shapeProblems(merge, SubmitJobRequest$)).toEqual([]);
  // The check itself finds a misspelt member, a missing one and a wrong type.
  expect(shapeProblems({ jobName: 'x', jobQueue: 'q', arrayProperties: { sise: 2 }, timeout: { attemptDurationSeconds: '60' } }, SubmitJobRequest$)).toEqual([
    '.jobDefinition: missing',
    '.arrayProperties.sise: not a member of ArrayProperties',
    '.timeout.attemptDurationSeconds: not a number',
  ]);
});

test('enumerated values are among the SDK\'s', () => {
  const container = definition.containerProperties;
  expect(Object.values(JobDefinitionType)).toContain(definition.type);
  for (const capability of definition.platformCapabilities) expect(Object.values(PlatformCapability)).toContain(capability);
  for (const requirement of container.resourceRequirements) expect(Object.values(ResourceType)).toContain(requirement.type);
  for (const rule of definition.retryStrategy.evaluateOnExit) expect(Object.values(RetryAction)).toContain(rule.action);
  expect(Object.values(AssignPublicIp)).toContain(container.networkConfiguration.assignPublicIp);
  expect(Object.values(LogDriver)).toContain(container.logConfiguration.logDriver);
  expect(Object.values(EFSTransitEncryption)).toContain(container.volumes[0].efsVolumeConfiguration.transitEncryption);
});

/** What AWS Batch does with an exit code: the first evaluateOnExit rule whose pattern matches (a trailing * is a prefix). */
function actionForExit(code: number): string {
  const matches = (pattern: string | undefined, text: string) => pattern !== undefined && (pattern.endsWith('*') ? text.startsWith(pattern.slice(0, -1)) : pattern === text);
  const rule = definition.retryStrategy.evaluateOnExit.find((r: any) => matches(r.onExitCode, String(code)) || (r.onExitCode === undefined && r.onReason === '*'));
  return rule?.action ?? 'RETRY';
}

test('exit 1 and a kill are retried; exit 2 (usage, config) and 3 (committed, events spooled) are not', () => {
  expect([1, 137, 2, 3].map(actionForExit)).toEqual(['RETRY', 'RETRY', 'EXIT', 'EXIT']);
  expect(definition.retryStrategy.attempts).toBeGreaterThanOrEqual(2);
  // AWS Batch takes at most 5 evaluateOnExit rules (RetryStrategy's documentation).
  expect(definition.retryStrategy.evaluateOnExit.length).toBeLessThanOrEqual(5);
});

test('the shards are an array job of --shards children that deliver nothing; the merge depends on it, over the same state', () => {
  const shardCommand: string[] = shards.containerOverrides.command;
  const mergeCommand: string[] = merge.containerOverrides.command;
  expect(shardCommand[0]).toBe('run');
  expect(Number(flag(shardCommand, '--shards'))).toBe(shards.arrayProperties.size);
  expect(shardCommand.some((arg) => /^--(output|hec-url|auth0-domain|shard)=/.test(arg))).toBe(false);
  expect(mergeCommand[0]).toBe('merge');
  expect(flag(mergeCommand, '--shards')).toBe(flag(shardCommand, '--shards'));
  expect(flag(mergeCommand, '--state')).toBe(flag(shardCommand, '--state'));
  // One dependency on the array job as a whole (no N_TO_N): the merge starts when every child succeeded.
  expect(merge.dependsOn).toEqual([{ jobId: 'SHARDS_JOB_ID' }]);
  expect(readFileSync(path.join(ROOT, 'config', 'aws-batch', 'submit-backfill.sh'), 'utf8')).toContain('s/SHARDS_JOB_ID/');
  expect([shards.jobDefinition, merge.jobDefinition]).toEqual([definition.jobDefinitionName, definition.jobDefinitionName]);
});

test('the HEC token comes from Secrets Manager, never from a command or a literal; the spool is on EFS', () => {
  const container = definition.containerProperties;
  expect(container.secrets).toEqual([{ name: 'SPLUNK_HEC_TOKEN', valueFrom: expect.stringMatching(/^arn:aws:secretsmanager:/) }]);
  expect(container.environment.some((e: any) => /token|secret/i.test(e.name))).toBe(false);
  for (const command of [shards.containerOverrides.command, merge.containerOverrides.command]) expect(command.some((arg: string) => /token|secret/i.test(arg))).toBe(false);
  const spool = flag(merge.containerOverrides.command, '--spool');
  const mount = container.mountPoints.find((m: any) => m.containerPath === spool);
  expect(container.volumes.find((v: any) => v.name === mount.sourceVolume).efsVolumeConfiguration.fileSystemId).toMatch(/^fs-/);
});

test('every flag is one the command takes (from the built CLI\'s help)', () => {
  for (const [command, ...args] of [shards.containerOverrides.command, merge.containerOverrides.command] as string[][]) {
    const help = spawnSync(process.execPath, [CLI, command!, '--help'], { encoding: 'utf8' }).stdout;
    for (const arg of args) {
      const name = arg.split('=')[0]!;
      const listed = name.startsWith('--no-') ? [name, `--${name.slice(5)}`] : [name];
      expect([command, name, listed.some((candidate) => new RegExp(`${candidate}\\b`).test(help))]).toEqual([command, name, true]);
    }
  }
});

test('the CLI itself takes each command and the job definition\'s environment as deployed: a child with the last index, the merge', () => {
  const container = definition.containerProperties;
  const env: Record<string, string> = Object.fromEntries([
    ...container.environment.map((e: { name: string; value: string }) => [e.name, e.value]),
    ...container.secrets.map((s: { name: string }) => [s.name, 'placeholder']),
  ]);
  // AWS Batch sets AWS_BATCH_JOB_ARRAY_INDEX in each child of an array job (0..size-1).
  const lastIndex = String(shards.arrayProperties.size - 1);
  expectAccepted(runAsDeployed(shards.containerOverrides.command, { ...env, AWS_BATCH_JOB_ARRAY_INDEX: lastIndex }));
  expectAccepted(runAsDeployed(merge.containerOverrides.command, env));
});

test('a stopped merge has time to spool and commit: its --hec-timeout is well under Fargate\'s 30 s stop timeout', () => {
  // AWS Batch stops a job (attempt timeout, TerminateJob, Spot interruption) with SIGTERM, then SIGKILL after the
  // ECS stop timeout: 30 s on Fargate, and containerProperties has no member to raise it (only ecsProperties').
  const FARGATE_STOP_TIMEOUT = 30;
  expect(definition.platformCapabilities).toEqual(['FARGATE']);
  expect(Object.keys(definition.containerProperties)).not.toContain('stopTimeout');
  const hecTimeout = Number(flag(merge.containerOverrides.command, '--hec-timeout'));
  // After SIGTERM a HEC request already sent gets its reply within --hec-timeout; the spool and the state's
  // commit to S3 come after it. Leave them at least 15 s.
  expect(hecTimeout).toBeGreaterThan(0);
  expect(FARGATE_STOP_TIMEOUT - hecTimeout).toBeGreaterThanOrEqual(15);
});

test('the spool\'s EFS folder is one the job\'s user can write: an access point owned by uid 1000, not a bare rootDirectory', () => {
  // The image runs as uid 1000 (Dockerfile USER) and the job definition sets no other user; Fargate cannot chown.
  const dockerfile = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
  expect(dockerfile).toMatch(/^USER 1000:1000$/m);
  expect(definition.containerProperties.user).toBeUndefined();
  const efs = definition.containerProperties.volumes[0].efsVolumeConfiguration;
  // With an access point the root directory is the access point's (rootDirectory omitted or "/").
  expect(efs.authorizationConfig?.accessPointId).toMatch(/^fsap-/);
  expect([undefined, '/']).toContain(efs.rootDirectory);
  expect(efs.transitEncryption).toBe('ENABLED'); // Required with an access point.
  const script = readFileSync(path.join(ROOT, 'config', 'aws-batch', 'submit-backfill.sh'), 'utf8');
  expect(script).toContain('--posix-user Uid=1000,Gid=1000');
  expect(script).toContain('CreationInfo={OwnerUid=1000,OwnerGid=1000');
});
