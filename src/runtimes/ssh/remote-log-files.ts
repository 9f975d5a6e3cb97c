import type { SFTPWrapper } from 'ssh2';
import type { LogFileHandle, LogFiles } from '../local/log-reader.js';
import type { LogTimeNote } from '../local/log-times.js';
import type { HostConnection } from './host-connection.js';

const noSuchFile = 2; // SFTP status code

function isMissing(err: unknown): boolean {
  return (err as { code?: unknown }).code === noSuchFile;
}

function sftpHandle(sftp: SFTPWrapper, handle: Buffer): LogFileHandle {
  return {
    read: (buffer, offset, length, position) =>
      new Promise((resolve, reject) => {
        if (length === 0) return resolve({ bytesRead: 0 });
        sftp.read(handle, buffer, offset, length, position, (err, bytesRead) =>
          err ? reject(err) : resolve({ bytesRead }),
        );
      }),
    // SFTP times are whole seconds: the reader keeps a line no earlier than its last note anyway.
    stat: () =>
      new Promise((resolve, reject) =>
        sftp.fstat(handle, (err, stats) =>
          err ? reject(err) : resolve({ size: stats.size, mtimeMs: stats.mtime * 1000 }),
        ),
      ),
    close: () => new Promise((resolve) => sftp.close(handle, () => resolve())),
  };
}

/**
 * An instance's log and its time notes on a host, read over SFTP, so `slipway logs` and the log
 * tail of an `exit` event work the same as for local instances (local/log-reader.ts reads them).
 */
export function remoteLogFiles(connection: HostConnection): LogFiles {
  const open = async (file: string): Promise<LogFileHandle | undefined> => {
    const sftp = await connection.sftp();
    return new Promise((resolve, reject) =>
      sftp.open(file, 'r', (err, handle) => {
        if (err) return isMissing(err) ? resolve(undefined) : reject(err);
        resolve(sftpHandle(sftp, handle));
      }),
    );
  };
  return {
    open,
    async times(file) {
      const fh = await open(`${file}.times`);
      if (!fh) return [];
      try {
        const { size } = await fh.stat();
        const buf = Buffer.alloc(size);
        let read = 0;
        while (read < size) {
          const { bytesRead } = await fh.read(buf, read, size - read, read);
          if (bytesRead === 0) break;
          read += bytesRead;
        }
        const notes: LogTimeNote[] = [];
        for (const line of buf.subarray(0, read).toString('utf8').split('\n')) {
          const [s, at] = line.split(' ').map(Number);
          if (Number.isFinite(s) && Number.isFinite(at)) notes.push({ size: s!, at: at! });
        }
        return notes;
      } finally {
        await fh.close();
      }
    },
  };
}
