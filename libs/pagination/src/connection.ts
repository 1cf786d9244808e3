import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import { badInput } from '@hearth/errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `Page size, 1 to ${MAX_PAGE_SIZE} (default ${DEFAULT_PAGE_SIZE})` })
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page' })
  after?: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
}

/** A Relay connection type for a node type: `XConnection { edges { cursor node } pageInfo }`. */
export function ConnectionType<T>(node: Type<T>, name: string): Type<Connection<T>> {
  @ObjectType(`${name}Edge`)
  class EdgeType {
    @Field(() => String)
    cursor: string;

    @Field(() => node)
    node: T;
  }

  @ObjectType(`${name}Connection`)
  class ConnectionClass {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionClass;
}

/** The page size asked for, checked. */
export function pageSize(first: number | null | undefined): number {
  if (first === null || first === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  return first;
}

/**
 * Keyset cursors: the sort key of the last row seen, opaque to clients. A cursor is only ever
 * compared in SQL as a bound; it grants nothing by itself.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** What each part of a cursor must be: a cursor is checked in full here, never in SQL. */
export type CursorPart = 'timestamp' | 'uuid' | 'string' | 'number';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;

function partIs(part: unknown, kind: CursorPart): boolean {
  switch (kind) {
    case 'timestamp':
      return typeof part === 'string' && ISO_TIMESTAMP.test(part) && !Number.isNaN(Date.parse(part));
    case 'uuid':
      return typeof part === 'string' && UUID.test(part);
    case 'string':
      return typeof part === 'string' && part.length <= 1000;
    case 'number':
      return typeof part === 'number' && Number.isSafeInteger(part);
  }
}

export function decodeCursor(
  cursor: string | null | undefined,
  shape: readonly CursorPart[],
): (string | number)[] | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  let key: unknown;
  try {
    key = cursor.length <= 2000 ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : undefined;
  } catch {
    throw badInput('after', 'is not a cursor from this list');
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((part, i) => !partIs(part, shape[i]!))) {
    throw badInput('after', 'is not a cursor from this list');
  }
  return key as (string | number)[];
}

/**
 * Rows fetched with LIMIT size + 1 become a page: the extra row only says there is a next page.
 */
export function toConnection<R, T>(
  rows: readonly R[],
  size: number,
  key: (row: R) => readonly (string | number)[],
  map: (row: R) => T,
): Connection<T> {
  const page = rows.slice(0, size);
  const edges = page.map((row) => ({ cursor: encodeCursor(key(row)), node: map(row) }));
  return {
    edges,
    pageInfo: { hasNextPage: rows.length > size, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
