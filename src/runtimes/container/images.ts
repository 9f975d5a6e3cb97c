import { execFile, spawn } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { RuntimeError } from '../local/errors.js';
import { contentHash } from '../ssh/release-archive.js';
import { engineMessage, engineStatus, labels } from './engine.js';

const execFileAsync = promisify(execFile);

/** Where a release's files are in its image, and the container's working directory. */
export const appDir = '/app';

/**
 * The files a rootfs needs to run `binary`: itself and every shared library `ldd` lists (with the
 * dynamic loader), as paths relative to `/`. No registry is needed: the image is this machine's own node.
 */
export async function rootfsFiles(binary: string): Promise<string[]> {
  const { stdout } = await execFileAsync('ldd', [binary]);
  const files = new Set<string>([binary]);
  for (const line of stdout.split('\n')) {
    const path = /=>\s*(\/\S+)/.exec(line)?.[1] ?? /^\s*(\/\S+)\s+\(/.exec(line)?.[1];
    if (path) files.add(path);
  }
  return [...files].map((f) => f.slice(1));
}

/** Run `tar` with fixed arguments (no shell) and stream its archive into `sink`. */
async function tarInto<T>(args: string[], sink: (archive: NodeJS.ReadableStream) => Promise<T>): Promise<T> {
  const tar = spawn('tar', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  tar.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((resolve) => tar.on('close', resolve));
  const result = await sink(tar.stdout);
  const code = await exited;
  if (code !== 0) throw new RuntimeError('failed', `tar ${args.join(' ')} failed: ${stderr.trim() || `exit ${code}`}`);
  return result;
}

/** Wait for a build/import progress stream to end; an `error` line in it is the build's failure. */
function finished(docker: Docker, stream: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    docker.modem.followProgress(stream, (err: Error | null, output: { error?: string; errorDetail?: unknown }[]) => {
      const failed = output?.find((o) => o.error);
      if (err || failed) reject(new Error(failed?.error ?? err?.message ?? 'unknown error'));
      else resolve();
    });
  });
}

async function imageExists(docker: Docker, ref: string): Promise<boolean> {
  try {
    await docker.getImage(ref).inspect();
    return true;
  } catch (err) {
    if (engineStatus(err) === 404) return false;
    throw err;
  }
}

/** Options for {@link ImageBuilder}. */
export interface ImageOptions {
  /** The node binary put in the base image (default: the coordinator's own, process.execPath). */
  node?: string;
  /** Base image to build releases on instead of the imported node rootfs (an image the engine already has). */
  baseImage?: string;
}

/**
 * Images for releases. The base image is imported once (`docker import` of a rootfs tar: the node
 * binary and the libraries `ldd` lists, plus /tmp); each release directory becomes an image on top
 * of it (`FROM base`, `COPY . /app`), tagged by the directory's content hash, so an unchanged
 * release is built once and reused by every instance.
 */
export class ImageBuilder {
  private base: Promise<string> | undefined;
  private readonly building = new Map<string, Promise<string>>();

  constructor(
    private readonly docker: Docker,
    private readonly options: ImageOptions = {},
  ) {}

  /** The base image reference, imported from this machine's node on first use. */
  baseImage(): Promise<string> {
    if (this.options.baseImage) return Promise.resolve(this.options.baseImage);
    this.base ??= this.importBase().catch((err) => {
      this.base = undefined;
      throw err;
    });
    return this.base;
  }

  /** The image of the release in `dir` (built when no image holds that content yet). */
  async releaseImage(dir: string): Promise<string> {
    const { hash } = await contentHash(dir);
    const tag = `slipway-release:${hash}`;
    let pending = this.building.get(tag);
    if (!pending) {
      pending = this.build(dir, tag, hash).finally(() => this.building.delete(tag));
      this.building.set(tag, pending);
    }
    return pending;
  }

  private async importBase(): Promise<string> {
    const node = await realpath(this.options.node ?? process.execPath);
    const { stdout: version } = await execFileAsync(node, ['--version']);
    const tag = `slipway-node:${version.trim()}`;
    if (await imageExists(this.docker, tag)) return tag;
    const files = await rootfsFiles(node);
    const extra = await mkdtemp(join(tmpdir(), 'slipway-rootfs-'));
    try {
      await execFileAsync('mkdir', ['-m', '1777', join(extra, 'tmp')]);
      await tarInto(['-cf', '-', '--dereference', '-C', '/', ...files, '-C', extra, 'tmp'], async (archive) => {
        const [repo, t] = tag.split(':') as [string, string];
        const stream = (await this.docker.importImage(archive as never, { repo, tag: t })) as NodeJS.ReadableStream;
        await finished(this.docker, stream);
      });
    } catch (err) {
      throw new RuntimeError('failed', `cannot import the base image ${tag} from ${node}: ${engineMessage(err)}`);
    } finally {
      await rm(extra, { recursive: true, force: true });
    }
    return tag;
  }

  private async build(dir: string, tag: string, hash: string): Promise<string> {
    if (await imageExists(this.docker, tag)) return tag;
    const base = await this.baseImage();
    const context = await mkdtemp(join(tmpdir(), 'slipway-build-'));
    try {
      await writeFile(
        join(context, 'Dockerfile.slipway'),
        `FROM ${base}\nCOPY . ${appDir}/\nWORKDIR ${appDir}\nENV PATH=/usr/local/bin:/usr/bin:/bin\n` +
          `LABEL ${labels.content}=${hash}\n`,
      );
      await writeFile(join(context, '.dockerignore'), 'Dockerfile.slipway\n.dockerignore\n');
      // The release's files first, then ours: a later entry wins when the engine unpacks the context.
      await tarInto(['-cf', '-', '-C', dir, '.', '-C', context, 'Dockerfile.slipway', '.dockerignore'], async (tar) => {
        const stream = await this.docker.buildImage(tar as never, {
          t: tag,
          dockerfile: 'Dockerfile.slipway',
          rm: true,
          forcerm: true,
        });
        await finished(this.docker, stream);
      });
    } catch (err) {
      if (err instanceof RuntimeError) throw err;
      throw new RuntimeError('failed', `cannot build the image of release directory ${dir}: ${engineMessage(err)}`);
    } finally {
      await rm(context, { recursive: true, force: true });
    }
    return tag;
  }
}
