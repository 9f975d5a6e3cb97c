import { afterAll } from 'vitest';
import { describeRouterContract } from '../src/traffic/router.contract.js';
import { haproxySubject, stopAllHaproxy } from './haproxy-support.js';

/**
 * The Router contract (src/traffic/router.contract.ts), the same suite the built-in proxy and the fake
 * pass, against HaproxyRouter driving a real master-worker HAProxy with real upstreams on 127.0.0.1.
 */
afterAll(stopAllHaproxy);

describeRouterContract('HAProxy', haproxySubject, { dataPlane: true });
