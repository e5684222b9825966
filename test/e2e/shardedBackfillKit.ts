import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { seededRandom } from '../support/seededRandom';
import { API, MGMT, recordJson, type Rec } from '../unit/state/stateTestKit';

/**
 * The shard an object's relative name lands on, worked out here apart from the job's code: the SHA-256 hex digest's
 * first 12 hex digits (6 bytes, big-endian) as a BigInt, mod N.
 */
export function shardOfName(relativeName: string, shards: number): number {
  return Number(BigInt(`0x${createHash('sha256').update(relativeName).digest('hex').slice(0, 12)}`) % BigInt(shards));
}

export interface GeneratedArchives {
  /** Relative names of the objects, in the order written. */
  names: string[];
  /** Pairs of objects on different shards that hold the same log_ids. */
  crossShardDuplicates: Array<[string, string]>;
  /** Objects holding a record dated outside 2024-03-01..03 (UTC): not done with, so no ledger takes them. */
  outOfRange: Set<string>;
}

/**
 * Archives over two tenants and five UTC days (the test summarizes the middle three), with log_ids repeated
 * between neighbouring objects, users shared across objects, a few records without any id, one malformed line
 * and one record without a date. Half the objects are gzip.
 */
export function writeGeneratedArchives(dir: string, shards: number, objectCount = 12): GeneratedArchives {
  const random = seededRandom(17);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const days = ['2024-02-29', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04'];
  const names: string[] = [];
  for (let k = 0; names.length < objectCount; k++) {
    names.push(`2024/03/obj-${String(k).padStart(3, '0')}.ndjson${k % 2 === 0 ? '.gz' : ''}`);
  }
  let n = 0;
  const bodies: Rec[][] = names.map((_, index) =>
    Array.from({ length: 40 }, () => {
      n++;
      // Out-of-range days only in the first objects, so some objects are done with and some are not.
      const day = index < 3 ? pick(days) : pick(days.slice(1, 4));
      const date = `${day}T${String(Math.floor(random() * 24)).padStart(2, '0')}:${String(Math.floor(random() * 60)).padStart(2, '0')}:07.${String(Math.floor(random() * 1000)).padStart(3, '0')}Z`;
      const tenant = random() < 0.7 ? 'acme' : 'globex';
      return random() < 0.3
        ? { n, date, type: 'seccft', client: `c${Math.floor(random() * 5)}`, audience: random() < 0.8 ? API : MGMT, tenant }
        : { n, date, type: pick(['s', 's', 'f', 'slo']), user: `auth0|u${Math.floor(random() * 30)}`, tenant };
    }),
  );
  const crossShardDuplicates: Array<[string, string]> = [];
  for (let index = 0; index < names.length; index++) {
    const next = (index + 1) % names.length;
    // Redelivered records: the first five of the next object again.
    bodies[index]!.push(...bodies[next]!.slice(0, 5));
    if (shardOfName(names[index]!, shards) !== shardOfName(names[next]!, shards)) crossShardDuplicates.push([names[index]!, names[next]!]);
  }
  const outOfRange = new Set(names.filter((_, index) => bodies[index]!.some((r) => r.date < '2024-03-01' || r.date >= '2024-03-04')));
  names.forEach((name, index) => {
    const lines = bodies[index]!.map((r) => JSON.stringify(recordJson(r)));
    if (index === 4) {
      // Records without any id: counted by their place in the object, in a single run and a shard alike.
      lines.push(JSON.stringify({ date: '2024-03-02T05:00:00.000Z', type: 's', tenant_name: 'acme', user_id: 'auth0|noid' }));
      lines.push(JSON.stringify({ date: '2024-03-02T05:00:00.000Z', type: 's', tenant_name: 'acme', user_id: 'auth0|noid' }));
    }
    if (index === 5) lines.push('{"log_id": "broken', JSON.stringify({ log_id: '9'.repeat(56), type: 's' }));
    const text = `${lines.join('\n')}\n`;
    const file = path.join(dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, name.endsWith('.gz') ? gzipSync(text) : text);
  });
  return { names, crossShardDuplicates, outOfRange };
}

/** Summary events without what differs between two runs by nature (`generated_at`, `run_id`), the run event apart. */
export function comparableSummaries(events: any[]): string[] {
  return events
    .filter((e) => e.event.summary !== 'run')
    .map((e) => {
      const { generated_at: _g, run_id: _r, ...rest } = e.event;
      return JSON.stringify({ ...e, event: rest });
    })
    .sort();
}

/** The run event's read and count figures, which a merge must state as the single run did. */
export function runFigures(run: any) {
  const { objects, bytes, records, duplicates, malformed, rejected, out_of_range, days, summaries, inputs, status } = run;
  return { objects, bytes, records, duplicates, malformed, rejected, out_of_range, days, summaries, inputs, status };
}

/** The object list a state's manifest names, as [name, size] pairs (versions carry mtimes, the same for both). */
export function ledgerOf(stateDir: string): unknown {
  const manifest = JSON.parse(readFileSync(path.join(stateDir, 'manifest.json'), 'utf8'));
  return JSON.parse(gunzipSync(readFileSync(path.join(stateDir, manifest.objects.file))).toString('utf8')).objects;
}

/** Every file under a folder, relative and sorted. */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${entry}` : entry;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else found.push(rel);
    }
  };
  walk('');
  return found.sort();
}
