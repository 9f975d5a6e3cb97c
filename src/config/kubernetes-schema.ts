import { z } from 'zod';
import { positiveWaitField } from './fields.js';

/** A DNS-1123 label: what Kubernetes accepts as a namespace or Secret name. */
const dnsLabel = z
  .string()
  .max(63, 'must be at most 63 characters')
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be lowercase letters, digits and "-" (a Kubernetes name)');

/** `runtime.kubernetes`: instances as Deployments on a cluster (src/runtimes/kubernetes). */
export const kubernetesRuntimeSchema = z
  .strictObject({
    namespace: dnsLabel.meta({ description: 'Namespace the Deployments and Services are made in (it must exist).' }),
    kubeconfig: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Kubeconfig file; absent: KUBECONFIG, ~/.kube/config, or the in-cluster service account.' }),
    context: z.string().min(1).optional().meta({ description: 'Context of the kubeconfig; absent: its current one.' }),
    image: z
      .string()
      .min(1)
      .regex(/^[^\s]+$/, 'must be an image reference without spaces')
      .meta({
        description:
          'Image of each release; {service} and {version} are filled in, e.g. ' +
          'registry.example.com/{service}:{version}. Slipway does not build or push images: the image of a ' +
          'version must be in the registry before it is deployed.',
      }),
    port: z
      .int()
      .min(1)
      .max(65535)
      .default(8080)
      .meta({ description: "Port the container listens on (its PORT), and its release Service's port." }),
    command: z
      .enum(['image', 'service'])
      .default('image')
      .meta({ description: "image: the image's own entrypoint; service: the service's command, args and cwd." }),
    envFrom: z.array(dnsLabel).default([]).meta({
      description: "Kubernetes Secrets whose keys become the containers' environment (Slipway's secrets are not sent).",
    }),
    pollInterval: positiveWaitField
      .default('2s')
      .meta({ description: 'How often pod status is read (one list call for the namespace).' }),
  })
  .meta({
    title: 'Kubernetes runtime',
    description:
      'Run instances on Kubernetes: a Deployment per instance, a Service per release; the proxy routes to the ' +
      'Services, so it must run where cluster DNS resolves (in the cluster).',
  });
