import type { ProjectConfig } from '../../../config/model.js';
import { messageOf } from '../../../shared/errors.js';
import { diskUse } from '../../resources/disk-usage.js';
import { formatBytes } from '../../resources/size.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';

/**
 * Disk use of the volumes a service declares (`resources.volumes`, {version} filled with the live
 * release): `disk_used_ratio` per volume. A path that cannot be read is a reading with phase `error`.
 */
export class DiskReader implements AlertReader {
  readonly name = 'disk';
  readonly scope = 'service';

  constructor(private readonly configOf: (project: string) => Promise<ProjectConfig | undefined>) {}

  async read(target: AlertTarget): Promise<AlertReading[]> {
    const service = (await this.configOf(target.project))?.services.find((s) => s.name === target.service);
    const volumes = service?.resources?.volumes ?? [];
    return Promise.all(
      volumes.map(async (template): Promise<AlertReading> => {
        const volume = template.replaceAll('{version}', target.release);
        const labels = { volume };
        try {
          const use = await diskUse(volume);
          return {
            name: 'disk_used_ratio',
            labels,
            phase: 'ok',
            value: use.usedRatio,
            detail: `${formatBytes(use.usedBytes)} used, ${formatBytes(use.availableBytes)} available`,
          };
        } catch (e) {
          return { name: 'disk_used_ratio', labels, phase: 'error', message: `cannot stat ${volume}: ${messageOf(e)}` };
        }
      }),
    );
  }

  async close(): Promise<void> {}
}
