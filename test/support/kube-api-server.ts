import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig, type V1Deployment, type V1Pod, type V1Service } from '@kubernetes/client-node';

/**
 * A stand-in for the few Kubernetes API calls the Kubernetes runtime makes, answering with the API's
 * documented JSON (objects, lists with kind/apiVersion/metadata, Status on failure, text/plain pod logs).
 * It is not a cluster: nothing runs. Pods are put there by the test, as a kubelet would report them.
 * Every request is recorded (method, path, query, content type, body) for the test to check exactly.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  authorization?: string;
  body?: unknown;
}

type Obj = { metadata?: { name?: string; labels?: Record<string, string> } & Record<string, unknown> };

export class KubeApiServer {
  readonly requests: RecordedRequest[] = [];
  readonly deployments = new Map<string, V1Deployment>();
  readonly services = new Map<string, V1Service>();
  readonly pods = new Map<string, V1Pod>();
  /** Pod logs by pod name; `previous` logs under `<name>/previous`. */
  readonly logs = new Map<string, string>();
  /** Answer the next create of this kind with this status and message (e.g. 422 Invalid). */
  refuseNext?: { kind: 'deployments' | 'services'; code: number; reason: string; message: string };
  private server?: Server;
  private version = 1000;

  constructor(readonly token = 'test-token-7f3e') {}

  async listen(): Promise<string> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ code, body, text }) => {
          res.writeHead(code, { 'content-type': text !== undefined ? 'text/plain' : 'application/json' });
          res.end(text ?? JSON.stringify(body));
        },
        (err) => {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify(status(500, 'InternalError', String(err))));
        },
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  /** A kubeconfig for this server, with a bearer token, as `kubectl config view` would show it. */
  kubeConfig(server: string): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'stand-in', server, skipTLSVerify: true }],
      users: [{ name: 'slipway', token: this.token }],
      contexts: [{ name: 'stand-in', cluster: 'stand-in', user: 'slipway', namespace: 'shop' }],
      currentContext: 'stand-in',
    });
    return kc;
  }

  /** Requests other than the runtime's polling (pod and deployment lists of everything Slipway's). */
  calls(): RecordedRequest[] {
    return this.requests.filter((r) => r.query.labelSelector !== 'app.kubernetes.io/managed-by=slipway');
  }

  private async handle(req: IncomingMessage): Promise<{ code: number; body?: unknown; text?: string }> {
    const url = new URL(req.url ?? '/', 'http://x');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString();
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      ...(req.headers['content-type'] ? { contentType: req.headers['content-type'] } : {}),
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(raw ? { body: JSON.parse(raw) } : {}),
    };
    this.requests.push(record);
    if (req.headers.authorization !== `Bearer ${this.token}`)
      return { code: 401, body: status(401, 'Unauthorized', 'Unauthorized') };
    const m =
      /^\/(?:api\/v1|apis\/apps\/v1)\/namespaces\/([^/]+)\/(deployments|services|pods)(?:\/([^/]+))?(\/log)?$/.exec(
        url.pathname,
      );
    if (!m) return { code: 404, body: status(404, 'NotFound', 'the server could not find the requested resource') };
    const [, namespace, kind, name, log] = m as unknown as [
      string,
      string,
      'deployments' | 'services' | 'pods',
      string?,
      string?,
    ];
    const store = (kind === 'deployments' ? this.deployments : kind === 'services' ? this.services : this.pods) as Map<
      string,
      Obj
    >;
    const group = kind === 'deployments' ? 'deployments.apps' : kind;
    const notFound = () => ({
      code: 404,
      body: status(404, 'NotFound', `${group} "${name}" not found`, { name, kind }),
    });
    if (log) {
      if (!this.pods.has(name!)) return notFound();
      const key = record.query.previous === 'true' ? `${name}/previous` : name!;
      let lines = (this.logs.get(key) ?? '').split('\n').filter((l) => l !== '');
      if (record.query.tailLines) lines = lines.slice(-Number(record.query.tailLines));
      return { code: 200, text: lines.map((l) => `${l}\n`).join('') };
    }
    if (req.method === 'GET' && !name) {
      const wanted = parseSelector(record.query.labelSelector ?? '');
      const items = [...store.values()].filter((o) =>
        Object.entries(wanted).every(([k, v]) => o.metadata?.labels?.[k] === v),
      );
      const listKind = { deployments: 'DeploymentList', services: 'ServiceList', pods: 'PodList' }[kind];
      const apiVersion = kind === 'deployments' ? 'apps/v1' : 'v1';
      return {
        code: 200,
        body: { kind: listKind, apiVersion, metadata: { resourceVersion: String(this.version) }, items },
      };
    }
    if (req.method === 'POST' && !name) {
      const body = record.body as Obj;
      const objName = body.metadata?.name ?? '';
      const refuse = this.refuseNext;
      if (refuse?.kind === kind) {
        this.refuseNext = undefined;
        return { code: refuse.code, body: status(refuse.code, refuse.reason, refuse.message, { name: objName, kind }) };
      }
      if (store.has(objName))
        return {
          code: 409,
          body: status(409, 'AlreadyExists', `${group} "${objName}" already exists`, { name: objName, kind }),
        };
      const created = {
        ...body,
        metadata: {
          ...body.metadata,
          namespace,
          uid: `uid-${++this.version}`,
          resourceVersion: String(this.version),
          creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        },
      };
      store.set(objName, created);
      return { code: 201, body: created };
    }
    const found = store.get(name!);
    if (!found) return notFound();
    if (req.method === 'GET') return { code: 200, body: found };
    if (req.method === 'PATCH') {
      if (record.contentType !== 'application/merge-patch+json')
        return { code: 415, body: status(415, 'UnsupportedMediaType', `unsupported patch type ${record.contentType}`) };
      const patched = mergePatch(found, record.body) as Obj;
      (patched.metadata as Record<string, unknown>).resourceVersion = String(++this.version);
      store.set(name!, patched);
      return { code: 200, body: patched };
    }
    if (req.method === 'DELETE') {
      store.delete(name!);
      return {
        code: 200,
        body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind } },
      };
    }
    return { code: 405, body: status(405, 'MethodNotAllowed', `${req.method} is not allowed`) };
  }
}

/** The API's Status object for a failure. */
function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
    ...(details ? { details } : {}),
  };
}

function parseSelector(selector: string): Record<string, string> {
  return Object.fromEntries(
    selector
      .split(',')
      .filter(Boolean)
      .map((term) => term.split('=') as [string, string]),
  );
}

/** RFC 7386 JSON merge patch. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...(target as object) } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
