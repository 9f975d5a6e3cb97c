import type { ProjectConfig } from '../../../config/model.js';
import type { InstanceUsage, Runtime } from '../../../runtimes/runtime.js';
import { formatBytes } from '../../resources/size.js';
import type { AlertReader, AlertReading, AlertTarget } from '../reader.js';

export interface ResourcesReaderOptions {
  runtime: Pick<Runtime, 'usage'>;
  /** The ids of the live release's running instances. */
  instancesOf: (target: AlertTarget) => Promise<string[]>;
  configOf: (project: string) => Promise<ProjectConfig | undefined>;
}

/**
 * CPU and resident memory of each instance of the live release, read through the Runtime:
 * `instance_rss_bytes`, `instance_cpu_cores` (CPU seconds per second since the previous read) and,
 * when the service declares `resources.memory`, `memory_limit_ratio` (what the memory rule watches).
 */
export class ResourcesReader implements AlertReader {
  readonly name = 'resources';
  readonly scope = 'service';
  private readonly previous = new Map<string, InstanceUsage>();

  constructor(private readonly options: ResourcesReaderOptions) {}

  async read(target: AlertTarget): Promise<AlertReading[]> {
    const service = (await this.options.configOf(target.project))?.services.find((s) => s.name === target.service);
    const limit = service?.resources?.memoryBytes;
    const readings: AlertReading[] = [];
    for (const instance of await this.options.instancesOf(target)) {
      const labels = { instance };
      const usage = await this.options.runtime.usage(instance);
      if (!usage) {
        readings.push({ name: 'instance_rss_bytes', labels, phase: 'nodata', message: `${instance} is not running` });
        continue;
      }
      readings.push({ name: 'instance_rss_bytes', labels, phase: 'ok', value: usage.rssBytes });
      const before = this.previous.get(instance);
      this.previous.set(instance, usage);
      if (before && usage.at > before.at)
        readings.push({
          name: 'instance_cpu_cores',
          labels,
          phase: 'ok',
          value: Math.max(0, (usage.cpuSeconds - before.cpuSeconds) / ((usage.at - before.at) / 1000)),
        });
      if (limit)
        readings.push({
          name: 'memory_limit_ratio',
          labels,
          phase: 'ok',
          value: usage.rssBytes / limit,
          detail: `${formatBytes(usage.rssBytes)} resident of ${formatBytes(limit)}`,
        });
    }
    return readings;
  }

  async close(): Promise<void> {
    this.previous.clear();
  }
}
