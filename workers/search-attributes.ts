/** Registers servebench's search attributes on a server that lacks them (a remote cluster; the dev server gets them at start). */
import type { Connection } from '@temporalio/client';
import { ALL_SEARCH_ATTRIBUTES } from '../workflows/search-attributes';
import { temporal } from '@temporalio/proto';

const INDEXED: Record<string, temporal.api.enums.v1.IndexedValueType> = {
  KEYWORD: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
  INT: temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_INT,
};

export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<void> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const known = { ...existing.customAttributes, ...existing.systemAttributes };
  const missing = ALL_SEARCH_ATTRIBUTES.filter((k) => !(k.name in known));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((k) => [k.name, INDEXED[k.type]])),
  });
}
