import { Readable } from 'node:stream';
import type { InputObject, Source } from '../sources/inputObject';
import { recordFileDigest, type FinishedShard } from './shardPartial';
import { StateIoError } from './stateErrors';
import type { StateStorage } from './stateStorage';

/**
 * A finished shard's record files as the merge's input objects. Each stands, in the ledger, for the archive
 * objects whose records it holds, so committing the merge records those and a later run skips them.
 */
export class ShardRecordSource implements Source {
  readonly listsWhole = true;

  constructor(
    private readonly storage: StateStorage,
    readonly input: string,
    private readonly shard: FinishedShard,
  ) {}

  async *list(): AsyncIterable<InputObject> {
    const { storage } = this;
    const { shard, digests } = this.shard.done;
    for (const file of this.shard.done.files) {
      yield {
        name: `${storage.location.replace(/\/+$/, '')}/${file}`,
        size: this.shard.done.sizes?.[file],
        standsFor: this.shard.objects.get(file) ?? [],
        async open(): Promise<Readable> {
          const data = await storage.read(file);
          if (data === undefined) throw new StateIoError(`the shard's record file ${file} is missing from ${storage.location}: run shard ${shard} again, then the merge`);
          // Its own output, so any damage (cut short, changed) is a failed merge, not records quarantined and lost.
          const expected = digests?.[file];
          if (expected !== undefined && recordFileDigest(data) !== expected) {
            throw new StateIoError(`the shard's record file ${file} in ${storage.location} is not as shard ${shard} wrote it (its SHA-256 differs): run shard ${shard} again, then the merge`);
          }
          return Readable.from([data]);
        },
      };
    }
  }
}
