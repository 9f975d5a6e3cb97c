export { ContainerRuntime, type ContainerRuntimeOptions } from './container-runtime.js';
export { parseContainerHandle, type ContainerHandle } from './container-handle.js';
export { labels as containerLabels, engineSocket } from './engine.js';
export { HostContainers, type HostContainersOptions } from './host-containers.js';
