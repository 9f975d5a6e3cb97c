import * as k8s from '@kubernetes/client-node';

/**
 * Fields a manifest has that the Kubernetes API does not know, by walking it along the attribute maps
 * @kubernetes/client-node generates from the Kubernetes OpenAPI spec. The JSON schemas of that spec allow
 * unknown fields (the API server drops them, or refuses them with fieldValidation=Strict, which the runtime
 * sends), so a misspelt field would pass schema validation alone. Used by the tests.
 */
export function unknownFields(value: unknown, typeName: string, path = ''): string[] {
  if (value === undefined || value === null) return [];
  const array = /^Array<(.+)>$/.exec(typeName);
  if (array) return Array.isArray(value) ? value.flatMap((v, i) => unknownFields(v, array[1]!, `${path}[${i}]`)) : [];
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(typeName);
  if (map)
    return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) =>
      unknownFields(v, map[1]!, `${path}.${k}`),
    );
  const model = (k8s as unknown as Record<string, { attributeTypeMap?: { baseName: string; type: string }[] }>)[
    typeName
  ];
  if (!model?.attributeTypeMap || typeof value !== 'object') return [];
  const fields = new Map(model.attributeTypeMap.map((a) => [a.baseName, a.type]));
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => {
    const type = fields.get(k);
    return type === undefined ? [`${path}.${k}`] : unknownFields(v, type, `${path}.${k}`);
  });
}
