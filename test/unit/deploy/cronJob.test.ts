import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { CronJob, type ICronJob } from 'kubernetes-models/batch/v1/CronJob';
import type { IPodFailurePolicyRule } from 'kubernetes-models/batch/v1/PodFailurePolicyRule';
import { PersistentVolumeClaim, type IPersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { knownFieldNames, unknownFields } from './kubernetesFields';
import { kubernetesTypeErrors } from './kubernetesTypes';
import { envOf, expectAccepted, runAsDeployed } from './deployedArgs';

// config/cronjob.yaml, checked against the Kubernetes API schema (kubernetes-models) and against the operating
// rules its comments state.
const ROOT = path.resolve(__dirname, '../../..');
const documents = parseAllDocuments(readFileSync(path.join(ROOT, 'config', 'cronjob.yaml'), 'utf8')).map((doc) => {
  if (doc.errors.length > 0) throw new Error(`config/cronjob.yaml: ${doc.errors[0]!.message}`);
  return doc.toJS() as { kind: string };
});
const cronJob = documents.find((doc) => doc.kind === 'CronJob') as ICronJob;
const jobSpec = cronJob.spec!.jobTemplate.spec!;
const podSpec = jobSpec.template.spec!;
const container = podSpec.containers.find((c) => c.name === 'auth0-usage')!;
const args = container.args ?? [];

function flagValue(flag: string): string | undefined {
  const given = args.find((arg) => arg.startsWith(`${flag}=`));
  return given?.slice(flag.length + 1);
}

/** What the Job does with a container exit, by the podFailurePolicy's first matching rule (Kubernetes' order). */
function actionForExit(exitCode: number): IPodFailurePolicyRule['action'] {
  for (const rule of jobSpec.podFailurePolicy?.rules ?? []) {
    const onExit = rule.onExitCodes;
    if (!onExit || (onExit.containerName !== undefined && onExit.containerName !== container.name)) continue;
    if (onExit.values.includes(exitCode) === (onExit.operator === 'In')) return rule.action;
  }
  return 'Count';
}

/** Bytes of a Kubernetes memory quantity such as 512Mi or 1G. */
function bytes(quantity: string | number): number {
  const match = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity));
  if (!match) throw new Error(`unexpected quantity ${quantity}`);
  const unit = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, T: 1e12 }[match[2] ?? ''] ?? 1;
  return Number(match[1]) * unit;
}

test('every document is valid against the Kubernetes API schema, with no misspelt field', () => {
  expect(documents.map((doc) => doc.kind)).toEqual(['CronJob', 'PersistentVolumeClaim']);
  expect(() => new CronJob(cronJob).validate()).not.toThrow();
  expect(() => new PersistentVolumeClaim(documents[1] as IPersistentVolumeClaim).validate()).not.toThrow();
  // The schema ignores unknown fields (the API server refuses them): look for them here.
  const known = knownFieldNames();
  expect(documents.flatMap((doc) => unknownFields(doc, known))).toEqual([]);
  expect(unknownFields({ spec: { terminationGracePeriodSecond: 90 } }, known)).toEqual(['.spec.terminationGracePeriodSecond']);
});

test('each document is a literal of its kubernetes-models type: every field known where it stands, typed right', () => {
  expect(
    kubernetesTypeErrors([
      { model: 'batch/v1/CronJob', type: 'ICronJob', value: cronJob },
      { model: 'v1/PersistentVolumeClaim', type: 'IPersistentVolumeClaim', value: documents[1] },
    ]),
  ).toEqual([]);
  // The check finds a field that exists elsewhere but not here (fsGroup is the pod's, not the container's), which
  // the name check above lets through.
  const misplaced = structuredClone(cronJob);
  Object.assign(misplaced.spec!.jobTemplate.spec!.template.spec!.containers[0]!.securityContext!, { fsGroup: 1000 });
  expect(unknownFields(misplaced, knownFieldNames())).toEqual([]);
  expect(kubernetesTypeErrors([{ model: 'batch/v1/CronJob', type: 'ICronJob', value: misplaced }])).toEqual([expect.stringContaining('fsGroup')]);
});

test('one run at a time, and a pod that never restarts in place (podFailurePolicy needs restartPolicy Never)', () => {
  expect(cronJob.spec!.concurrencyPolicy).toBe('Forbid');
  expect(podSpec.restartPolicy).toBe('Never');
});

test('exit 2 and exit 3 fail the Job at once, visibly; exit 1 and a kill are retried; evictions do not count', () => {
  expect(actionForExit(0)).toBe('Count'); // Not a failure at all: no rule may name it.
  expect(jobSpec.podFailurePolicy!.rules.some((rule) => rule.onExitCodes?.values.includes(0))).toBe(false);
  expect(actionForExit(1)).toBe('Count');
  expect(actionForExit(2)).toBe('FailJob');
  // Exit 3 committed the state: not retried (Count retries, Ignore starts a new pod), not hidden (Ignore again).
  expect(actionForExit(3)).toBe('FailJob');
  expect(actionForExit(137)).toBe('Count');
  expect(jobSpec.backoffLimit).toBeGreaterThanOrEqual(1);
  const [first] = jobSpec.podFailurePolicy!.rules;
  expect(first).toEqual({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] });
});

test('the grace period outlasts --hec-timeout, as given or by the CLI default', () => {
  const help = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', '--help'], { encoding: 'utf8' });
  const defaultSeconds = Number(/--hec-timeout\s.*\[default: (\d+(?:\.\d+)?)\]/.exec(help.stdout)?.[1]);
  expect(defaultSeconds).toBeGreaterThan(0);
  const hecTimeout = Number(flagValue('--hec-timeout') ?? defaultSeconds);
  expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThan(hecTimeout);
});

test('every flag in args is one `auth0-usage run` takes, and the image entrypoint is not overridden', () => {
  const help = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'cli.js'), 'run', '--help'], { encoding: 'utf8' }).stdout;
  expect(container.command).toBeUndefined();
  expect(args[0]).toBe('run');
  for (const arg of args.slice(1)) {
    const flag = arg.split('=')[0]!;
    const listed = flag.startsWith('--no-') ? [flag, `--${flag.slice(5)}`] : [flag];
    expect([flag, listed.some((name) => new RegExp(`${name}\\b`).test(help))]).toEqual([flag, true]);
  }
});

test('the CLI itself takes the args and environment as deployed (values and combinations too, not only flag names)', () => {
  expectAccepted(runAsDeployed(args, envOf(container.env)));
});

test('the HEC token and the Auth0 client secret come from a Secret, never from args or a literal', () => {
  const env = container.env ?? [];
  for (const name of ['SPLUNK_HEC_TOKEN', 'AUTH0_USAGE_AUTH0_CLIENT_SECRET']) {
    const variable = env.find((e) => e.name === name);
    expect(variable?.value).toBeUndefined();
    // The Secret the manifest's header tells to create (`kubectl create secret generic auth0-usage …`).
    expect(variable?.valueFrom?.secretKeyRef?.name).toBe('auth0-usage');
  }
  expect(args.some((arg) => /token|secret/i.test(arg))).toBe(false);
});

test('state on S3, no volume for it; the spool on a PersistentVolumeClaim; scratch in a writable /tmp', () => {
  expect(flagValue('--state')).toMatch(/^s3:\/\//);
  const mountOf = (dir: string) =>
    (container.volumeMounts ?? []).filter((m) => dir === m.mountPath || dir.startsWith(`${m.mountPath}/`)).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  const volume = (name: string | undefined) => (podSpec.volumes ?? []).find((v) => v.name === name);
  const spool = volume(mountOf(flagValue('--spool')!)?.name);
  expect(spool?.persistentVolumeClaim?.claimName).toBe((documents[1] as IPersistentVolumeClaim).metadata!.name);
  expect(volume(mountOf('/tmp')?.name)?.emptyDir).toBeDefined();
  // The only claim is the spool's: nothing else of the run persists on the node.
  expect((podSpec.volumes ?? []).filter((v) => v.persistentVolumeClaim)).toHaveLength(1);
});

test('memory is requested for the benchmark peak and limited with room above it; the pod runs as non-root', () => {
  const resources = container.resources!;
  // Peak RSS in the README's benchmark: 361 MB (eight archives at once, two decode threads).
  expect(bytes(resources.requests!.memory!)).toBeGreaterThanOrEqual(361e6);
  expect(bytes(resources.limits!.memory!)).toBeGreaterThanOrEqual(2 * 361e6);
  // That peak was measured with two decode threads; the default (one per core the node shows) would scale with
  // the node, so the CronJob pins the count it was sized for.
  expect(flagValue('--decode-threads')).toBe('2');
  expect(podSpec.securityContext?.runAsNonRoot).toBe(true);
  expect(podSpec.securityContext?.runAsUser).toBeGreaterThan(0);
  expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
});

test('the check itself refuses a deployed --hec-url the CLI would refuse (only its host and port are replaced)', () => {
  const withUrl = (url: string) => args.map((arg) => (arg.startsWith('--hec-url=') ? `--hec-url=${url}` : arg));
  for (const bad of ['splunk.example.com:8088', 'https://user:pw@splunk.example.com:8088', 'https://splunk.example.com:8088/?x=1']) {
    expect([bad, runAsDeployed(withUrl(bad), envOf(container.env)).code]).toEqual([bad, 2]);
  }
});
