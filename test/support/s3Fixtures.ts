import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { forEachLimited } from './s3Server';

/** One fixture key and the UTC day (YYYY-MM-DD) its Firehose folder stands for, if any. */
export interface FixtureKey {
  key: string;
  /** The folder day the key was generated under; undefined for keys outside the date layout. */
  day?: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * Keys laid out the way Firehose names them by default, `<prefix>YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-mm-ss-<id>.gz`,
 * for `perHour` objects in every hour of each day listed.
 */
export function firehoseKeys(prefix: string, days: string[], perHour: number): FixtureKey[] {
  const keys: FixtureKey[] = [];
  for (const day of days) {
    const [y, m, d] = day.split('-');
    for (let hour = 0; hour < 24; hour++) {
      for (let i = 0; i < perHour; i++) {
        const minute = pad(i * 7);
        keys.push({
          key: `${prefix}${y}/${m}/${d}/${pad(hour)}/auth0-logs-1-${y}-${m}-${d}-${pad(hour)}-${minute}-00-${hour}${i}.gz`,
          day,
        });
      }
    }
  }
  return keys;
}

/** Puts small objects with bounded concurrency (s3rver writes three files per object). */
export async function putObjects(client: S3Client, bucket: string, objects: Array<{ key: string; body: Buffer | string }>, concurrency = 16): Promise<void> {
  await forEachLimited(objects, concurrency, ({ key, body }) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentLength: Buffer.byteLength(body) })),
  );
}

/** Drains a Readable into one Buffer. */
export async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
