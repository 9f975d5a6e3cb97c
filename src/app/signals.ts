import type { SignalFactory } from '../engine/analysis/canary-watch.js';
import { dataPlaneEnvironment } from '../engine/traffic-controller.js';
import { StoredErrorWindows } from '../observe/errors/error-windows.js';
import { ErrorSignalSource } from '../signals/errors/error-source.js';
import { HttpProbeSignalSource, PrometheusSignalSource, ProxySignalSource, RumSignalSource } from '../signals/index.js';
import type { RumSignalSourceOptions } from '../signals/rum/rum-source.js';
import type { SignalSource } from '../signals/signal-source.js';
import type { Db } from '../store/db.js';
import { getProject } from '../store/repos/projects.js';
import type { Router } from '../traffic/router.js';

/**
 * The signal sources of a canary: always the built-in proxy's samples and the errors the releases'
 * Sentry SDKs report to the coordinator (nodata when none do); Prometheus and HTTP
 * probes when its analysis configures them. Probes go to the environment's own address with the
 * header that targets the candidate.
 */
export function signalFactory(db: Db, router: Router): SignalFactory {
  return async (d, strategy) => {
    const sources: SignalSource[] = [
      new ProxySignalSource({
        router,
        environment: dataPlaneEnvironment(d.project, d.environment),
        service: d.service,
      }),
      new ErrorSignalSource({ reader: new StoredErrorWindows(db) }),
    ];
    const config = (await getProject(db, d.project))?.config;
    // A frontend's pages beacon their Web Vitals and errors to the proxy: its real users are a signal too.
    const frontend = config?.services.find((s) => s.name === d.service)?.static;
    if (frontend && hasRum(router)) {
      sources.push(
        new RumSignalSource({
          router,
          environment: dataPlaneEnvironment(d.project, d.environment),
          service: d.service,
        }),
      );
    }
    const { prometheus, probes, intervalMs } = strategy.analysis;
    if (prometheus)
      sources.push(new PrometheusSignalSource({ address: prometheus.address, metrics: prometheus.metrics }));
    if (probes && probes.length > 0) {
      const env = config?.environments.find((e) => e.name === d.environment);
      if (env) {
        const host =
          env.host === '0.0.0.0' || env.host === '::'
            ? '127.0.0.1'
            : env.host.includes(':')
              ? `[${env.host}]`
              : env.host;
        sources.push(new HttpProbeSignalSource({ url: `http://${host}:${env.port}`, probes, intervalMs }));
      }
    }
    return sources;
  };
}

/** The built-in proxy keeps RUM beacons; other routers (HAProxy) do not. */
function hasRum(router: Router): router is Router & RumSignalSourceOptions['router'] {
  return typeof (router as Partial<RumSignalSourceOptions['router']>).rum === 'function';
}
