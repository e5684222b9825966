import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Job, type IJob } from 'kubernetes-models/batch/v1/Job';
import type { IPodFailurePolicyRule } from 'kubernetes-models/batch/v1/PodFailurePolicyRule';
import { knownFieldNames, unknownFields } from './kubernetesFields';
import { kubernetesTypeErrors } from './kubernetesTypes';
import { envOf, expectAccepted, runAsDeployed } from './deployedArgs';

// config/backfill-indexed-job.yaml, checked against the Kubernetes API schema (kubernetes-models) and against what
// a sharded backfill needs: one shard per index, as many as --shards, and a merge over the same state.
const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const documents = parseAllDocuments(readFileSync(path.join(ROOT, 'config', 'backfill-indexed-job.yaml'), 'utf8')).map((doc) => {
  if (doc.errors.length > 0) throw new Error(`config/backfill-indexed-job.yaml: ${doc.errors[0]!.message}`);
  return doc.toJS() as IJob;
});
const [shards, merge] = documents as [IJob, IJob];
const containerOf = (job: IJob) => job.spec!.template.spec!.containers.find((c) => c.name === 'auth0-usage')!;
const argsOf = (job: IJob) => containerOf(job).args ?? [];
const flag = (job: IJob, name: string) => argsOf(job).find((arg) => arg.startsWith(`${name}=`))?.slice(name.length + 1);

/** What the Job does with a container exit, by the podFailurePolicy's first matching rule (Kubernetes' order). */
function actionForExit(job: IJob, exitCode: number): IPodFailurePolicyRule['action'] {
  for (const rule of job.spec!.podFailurePolicy?.rules ?? []) {
    const onExit = rule.onExitCodes;
    if (!onExit || (onExit.containerName !== undefined && onExit.containerName !== 'auth0-usage')) continue;
    if (onExit.values.includes(exitCode) === (onExit.operator === 'In')) return rule.action;
  }
  return 'Count';
}

test('two Jobs, each valid against the Kubernetes API schema, with no misspelt field', () => {
  expect(documents.map((doc) => [doc.kind, doc.metadata?.name])).toEqual([
    ['Job', 'auth0-usage-backfill-shards'],
    ['Job', 'auth0-usage-backfill-merge'],
  ]);
  for (const doc of documents) expect(() => new Job(doc).validate()).not.toThrow();
  const known = knownFieldNames();
  expect(documents.flatMap((doc) => unknownFields(doc, known))).toEqual([]);
});

test('each Job is a literal of its kubernetes-models type: every field known where it stands, typed right', () => {
  expect(kubernetesTypeErrors(documents.map((value) => ({ model: 'batch/v1/Job', type: 'IJob', value })))).toEqual([]);
});

test('the shards are an Indexed Job with one index per shard; the index reaches the job as JOB_COMPLETION_INDEX', () => {
  const spec = shards.spec!;
  expect(spec.completionMode).toBe('Indexed');
  expect(Number(flag(shards, '--shards'))).toBe(spec.completions);
  expect(argsOf(shards)).not.toContainEqual(expect.stringMatching(/^--shard=/));
  expect(spec.parallelism).toBeLessThanOrEqual(spec.completions!);
  // A shard is retried on its own; a usage or config error fails its index at once, and any failed index the Job.
  expect(spec.backoffLimitPerIndex).toBeGreaterThanOrEqual(1);
  expect(spec.maxFailedIndexes).toBe(0);
  expect([1, 2, 137].map((code) => actionForExit(shards, code))).toEqual(['Count', 'FailIndex', 'Count']);
  expect(shards.spec!.template.spec!.restartPolicy).toBe('Never');
});

test('the shards deliver nothing and need no secret; the merge delivers, over the same state and shard count', () => {
  expect(argsOf(shards)[0]).toBe('run');
  expect(argsOf(shards).some((arg) => /^--(output|hec-url|auth0-domain)=/.test(arg) || arg === '-o')).toBe(false);
  expect((containerOf(shards).env ?? []).some((e) => e.valueFrom?.secretKeyRef)).toBe(false);
  expect(argsOf(merge)[0]).toBe('merge');
  expect(flag(merge, '--state')).toBe(flag(shards, '--state'));
  expect(flag(merge, '--state')).toMatch(/^s3:\/\//);
  expect(flag(merge, '--shards')).toBe(flag(shards, '--shards'));
  const token = (containerOf(merge).env ?? []).find((e) => e.name === 'SPLUNK_HEC_TOKEN');
  expect([token?.value, token?.valueFrom?.secretKeyRef?.name]).toEqual([undefined, 'auth0-usage']);
  expect(argsOf(merge).some((arg) => /token|secret/i.test(arg))).toBe(false);
});

test('the merge waits, suspended, and fails at once on exit 2 and 3 as the nightly CronJob does; its spool is on a claim', () => {
  expect(merge.spec!.suspend).toBe(true);
  expect([1, 2, 3, 137].map((code) => actionForExit(merge, code))).toEqual(['Count', 'FailJob', 'FailJob', 'Count']);
  const podSpec = merge.spec!.template.spec!;
  const mount = (containerOf(merge).volumeMounts ?? []).find((m) => m.mountPath === flag(merge, '--spool'));
  expect(podSpec.volumes!.find((v) => v.name === mount?.name)?.persistentVolumeClaim?.claimName).toBe('auth0-usage-spool');
  expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(Number(flag(merge, '--hec-timeout')));
});

test('every flag is one the command takes (from the built CLI\'s help)', () => {
  for (const job of documents) {
    const [command, ...args] = argsOf(job);
    const help = spawnSync(process.execPath, [CLI, command!, '--help'], { encoding: 'utf8' }).stdout;
    expect(containerOf(job).command).toBeUndefined();
    for (const arg of args) {
      const name = arg.split('=')[0]!;
      const listed = name.startsWith('--no-') ? [name, `--${name.slice(5)}`] : [name];
      expect([command, name, listed.some((candidate) => new RegExp(`${candidate}\\b`).test(help))]).toEqual([command, name, true]);
    }
  }
});

test('each container decodes on as many threads as the CPUs it requests, not one per core of the node', () => {
  // The default (one decode thread per core the node shows) ignores the pod's CPU request, and each busy thread
  // holds tens of MB: the memory limits were sized for the requested CPUs.
  for (const job of [shards, merge]) {
    expect(flag(job, '--decode-threads')).toBe(String(containerOf(job).resources!.requests!.cpu));
  }
});

test('the CLI itself takes each container\'s args and environment as deployed: a shard with the last index, the merge', () => {
  // Kubernetes sets JOB_COMPLETION_INDEX in each pod of an Indexed Job (0..completions-1).
  const lastIndex = String(shards.spec!.completions! - 1);
  expectAccepted(runAsDeployed(argsOf(shards), { ...envOf(containerOf(shards).env), JOB_COMPLETION_INDEX: lastIndex }));
  expectAccepted(runAsDeployed(argsOf(merge), envOf(containerOf(merge).env)));
});
