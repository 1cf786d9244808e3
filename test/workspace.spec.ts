import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);

interface Project {
  type: 'application' | 'library';
  root: string;
  entryFile: string;
  sourceRoot: string;
}

describe('nest-cli.json', () => {
  const projects = (
    JSON.parse(readFileSync(new URL('nest-cli.json', root), 'utf8')) as { projects: Record<string, Project> }
  ).projects;

  it('lists every Nest app and every lib of the workspace, and nothing else', () => {
    // apps/web is the browser client, built by Vite, not a Nest project.
    const expected = [
      ...readdirSync(new URL('apps', root))
        .filter((name) => name !== 'web')
        .map((name) => `apps/${name}`),
      ...readdirSync(new URL('libs', root)).map((name) => `libs/${name}`),
    ].sort();
    expect(
      Object.values(projects)
        .map((project) => project.root)
        .sort(),
    ).toEqual(expected);
  });

  it('points each project at its real entry file', () => {
    for (const [name, project] of Object.entries(projects)) {
      expect({ name, type: project.type }).toEqual({
        name,
        type: project.root.startsWith('apps/') ? 'application' : 'library',
      });
      expect({ name, exists: existsSync(new URL(`${project.sourceRoot}/${project.entryFile}.ts`, root)) }).toEqual({
        name,
        exists: true,
      });
    }
  });
});
