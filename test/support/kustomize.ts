import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string> }[];
  images?: { name: string; newName?: string; newTag?: string }[];
  replicas?: { name: string; count: number }[];
  patches?: { path: string }[];
}

/** Every document of a YAML file; a syntax error in any of them throws. */
export function readYamlDocuments(file: string): unknown[] {
  return parseYamlDocuments(readFileSync(file, 'utf8'), file);
}

export function parseYamlDocuments(text: string, source = 'YAML'): unknown[] {
  return parseAllDocuments(text, { merge: true }).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: ${doc.errors.map((e) => e.message).join('; ')}`);
    return doc.toJSON() as unknown;
  });
}

/**
 * The subset of kustomize that deploy/k8s uses (resources, patches by strategic merge, replicas,
 * images, labels, namespace), so the manifests can be built and checked where no kustomize is
 * installed. Where kubectl is, the test checks that both builds agree.
 */
export function kustomize(dir: string): Manifest[] {
  const k = readYamlDocuments(join(dir, 'kustomization.yaml'))[0] as Kustomization;
  const docs: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    if (statSync(path).isDirectory()) docs.push(...kustomize(path));
    else docs.push(...(readYamlDocuments(path).filter(Boolean) as Manifest[]));
  }
  for (const patch of k.patches ?? []) {
    for (const change of readYamlDocuments(join(dir, patch.path)) as Manifest[]) {
      const target = docs.find((d) => d.kind === change.kind && d.metadata.name === change.metadata.name);
      if (!target) throw new Error(`${patch.path}: no ${change.kind} ${change.metadata.name} to patch`);
      strategicMerge(target, change);
    }
  }
  for (const { name, count } of k.replicas ?? []) {
    const target = docs.find((d) => d.metadata.name === name && (d.kind === 'Deployment' || d.kind === 'StatefulSet'));
    if (!target) throw new Error(`replicas: no ${name}`);
    (target['spec'] as Record<string, unknown>)['replicas'] = count;
  }
  for (const image of k.images ?? []) {
    for (const container of docs.flatMap(containersOf)) {
      const [name, tag] = splitImage(container.image);
      if (name === image.name) container.image = `${image.newName ?? name}:${image.newTag ?? tag ?? 'latest'}`;
    }
  }
  for (const { pairs } of k.labels ?? []) {
    for (const doc of docs) doc.metadata.labels = { ...doc.metadata.labels, ...pairs };
  }
  if (k.namespace) {
    for (const doc of docs) if (doc.kind !== 'Namespace') doc.metadata.namespace = k.namespace;
  }
  return docs;
}

export interface Container {
  name: string;
  image: string;
  [key: string]: unknown;
}

export function podSpecOf(doc: Manifest): Record<string, unknown> | undefined {
  const spec = doc['spec'] as Record<string, unknown> | undefined;
  const template = spec?.['template'] as Record<string, unknown> | undefined;
  return template?.['spec'] as Record<string, unknown> | undefined;
}

export function containersOf(doc: Manifest): Container[] {
  const pod = podSpecOf(doc);
  return [...((pod?.['initContainers'] as Container[]) ?? []), ...((pod?.['containers'] as Container[]) ?? [])];
}

function splitImage(image: string): [string, string | undefined] {
  const at = image.lastIndexOf(':');
  return at > image.lastIndexOf('/') ? [image.slice(0, at), image.slice(at + 1)] : [image, undefined];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Maps merge; lists of named items merge by name; any other list is replaced. */
function strategicMerge(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = target[key];
    if (isObject(current) && isObject(value)) strategicMerge(current, value);
    else if (Array.isArray(current) && Array.isArray(value) && value.every((v) => isObject(v) && 'name' in v)) {
      // As kustomize does: items new to the list come first, in the patch's order.
      const added: unknown[] = [];
      for (const item of value as Record<string, unknown>[]) {
        const match = (current as Record<string, unknown>[]).find((c) => isObject(c) && c['name'] === item['name']);
        if (match) strategicMerge(match, item);
        else added.push(item);
      }
      current.unshift(...added);
    } else target[key] = value;
  }
}
