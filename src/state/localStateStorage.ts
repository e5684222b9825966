import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { StateError, StateIoError } from './stateErrors';
import { FILES_AT_ONCE, type PublishedFile, type StateStorage } from './stateStorage';
import { errnoCode } from '../support/errnoCode';
import { forEachConcurrent } from '../support/forEachConcurrent';
import { makeDirs } from '../support/makeDirs';

/** A state in a local folder. Replacements are written to a temporary file, synced, then renamed into place. */
export class LocalStateStorage implements StateStorage {
  readonly location: string;
  private readonly root: string;

  constructor(folder: string) {
    this.location = folder;
    this.root = path.resolve(folder);
  }

  async list(): Promise<string[]> {
    const names: string[] = [];
    const walk = async (dir: string, prefix: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (errnoCode(error) === 'ENOENT' && prefix === '') return;
        throw new StateIoError(`cannot read the state folder ${dir}: ${errnoCode(error)}`, { cause: error });
      }
      for (const entry of entries) {
        const name = prefix + entry.name;
        if (entry.isDirectory()) await walk(path.join(dir, entry.name), `${name}/`);
        else names.push(name);
      }
    };
    await walk(this.root, '');
    return names.sort();
  }

  async read(name: string): Promise<Buffer | undefined> {
    try {
      return await fs.readFile(this.pathOf(name));
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      if (errnoCode(error) === 'ENOTDIR') throw new StateError(await this.notAFolder());
      throw new StateIoError(`cannot read ${this.pathOf(name)}: ${errnoCode(error)}`, { cause: error });
    }
  }

  /** Said of a state below a file (`file/state`), which does not exist, as of a file named as the state itself. */
  private async notAFolder(): Promise<string> {
    const below = await fs.stat(this.root).then(
      () => false,
      (error: unknown) => errnoCode(error) === 'ENOTDIR',
    );
    return below ? `--state ${this.location}: part of its folder path is a file` : `--state ${this.location} is not a folder`;
  }

  async modifiedAt(name: string): Promise<Date | undefined> {
    try {
      return (await fs.stat(this.pathOf(name))).mtime;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw new StateIoError(`cannot read ${this.pathOf(name)}: ${errnoCode(error)}`, { cause: error });
    }
  }

  async write(name: string, data: Buffer): Promise<void> {
    const target = this.pathOf(name);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await makeDirs(path.dirname(target));
      await writeSynced(temp, data, 'w');
      await fs.rename(temp, target);
    } catch (error) {
      await fs.rm(temp, { force: true }).catch(() => undefined);
      throw new StateIoError(`cannot write ${target}: ${errnoCode(error)}`, { cause: error });
    }
    // The rename durable too: the manifest names the object list written just before it (in objects/, made by a
    // new state's first commit), and the sweep after the manifest removes what the previous manifest named.
    await this.syncFolders([path.dirname(target)]);
  }

  async create(name: string, data: Buffer): Promise<boolean> {
    const target = this.pathOf(name);
    try {
      await makeDirs(path.dirname(target));
      await writeSynced(target, data, 'wx');
      return true;
    } catch (error) {
      if (errnoCode(error) === 'EEXIST') return false;
      // Created, but not written (a full disk): an empty file would look like another run's half-made lock.
      await fs.rm(target, { force: true }).catch(() => undefined);
      throw new StateIoError(`cannot create ${target}: ${errnoCode(error)}`, { cause: error });
    }
  }

  async readVersioned(name: string): Promise<{ data: Buffer; version: string } | undefined> {
    // Every write is a rename of a new file, so the inode and change time name one version.
    const before = await this.versionOf(name);
    const data = await this.read(name);
    const after = await this.versionOf(name);
    if (data === undefined || after === undefined) return undefined;
    // Replaced while being read: whatever was read is of an older version, which replace() then refuses.
    return { data, version: before === after ? after : `${after}?` };
  }

  async replace(name: string, data: Buffer, version: string): Promise<boolean> {
    if ((await this.versionOf(name)) !== version) return false;
    await this.write(name, data);
    return true;
  }

  private async versionOf(name: string): Promise<string | undefined> {
    try {
      const stat = await fs.stat(this.pathOf(name), { bigint: true });
      return `${stat.ino}-${stat.ctimeNs}-${stat.size}`;
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return undefined;
      throw new StateIoError(`cannot read ${this.pathOf(name)}: ${errnoCode(error)}`, { cause: error });
    }
  }

  async publish(files: readonly PublishedFile[]): Promise<void> {
    const folders = new Set(files.map(({ name }) => path.dirname(this.pathOf(name))));
    await forEachConcurrent(folders, FILES_AT_ONCE, async (folder) => {
      try {
        await makeDirs(folder);
      } catch (error) {
        throw new StateIoError(`cannot create the state folder ${folder}: ${errnoCode(error)}`, { cause: error });
      }
    });
    await forEachConcurrent(files, FILES_AT_ONCE, async ({ localFile, name }) => {
      const target = this.pathOf(name);
      try {
        // On disk before the manifest can name it: after a power loss the manifest must never point at an empty file.
        await syncFile(localFile);
        await fs.rename(localFile, target);
      } catch (error) {
        throw new StateIoError(`cannot move ${localFile} to ${target}: ${errnoCode(error)}`, { cause: error });
      }
    });
    // Each folder once, after all of its renames: the renames are durable before the manifest names them.
    await this.syncFolders(folders);
  }

  /** fsyncs each folder, and the folders they are in within the state (for a folder made just now), once. */
  private async syncFolders(folders: Iterable<string>): Promise<void> {
    const synced = new Set(folders);
    for (const folder of [...synced]) {
      for (let at = path.dirname(folder); ; at = path.dirname(at)) {
        const inside = path.relative(this.root, at);
        if (inside.startsWith('..') || path.isAbsolute(inside)) break;
        synced.add(at);
        if (inside === '') break;
      }
    }
    await forEachConcurrent(synced, FILES_AT_ONCE, async (folder) => {
      try {
        await syncFile(folder);
      } catch (error) {
        throw new StateIoError(`cannot sync the state folder ${folder}: ${errnoCode(error)}`, { cause: error });
      }
    });
  }

  async remove(name: string): Promise<void> {
    try {
      await fs.rm(this.pathOf(name), { force: true, recursive: true });
    } catch (error) {
      throw new StateIoError(`cannot remove ${this.pathOf(name)}: ${errnoCode(error)}`, { cause: error });
    }
  }

  localPath(name: string): string {
    return this.pathOf(name);
  }

  async fetchLocal(): Promise<void> {
    // The files are local already.
  }

  scratchDir(token: string): string {
    return path.join(this.root, `staging-${token}`);
  }

  async close(): Promise<void> {
    // Nothing held open.
  }

  private pathOf(name: string): string {
    return path.join(this.root, ...name.split('/'));
  }
}

/** Writes and fsyncs, so a rename that follows never exposes a file whose bytes are not on disk yet. */
async function writeSynced(file: string, data: Buffer, flag: 'w' | 'wx'): Promise<void> {
  const handle = await fs.open(file, flag);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** fsyncs a file, or a folder so that renames into it are durable. */
async function syncFile(file: string): Promise<void> {
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
