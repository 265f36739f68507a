import type { Connection } from '@temporalio/client';
import { SearchAttributeType } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../../contract/journeys';

const IndexedValueType = temporal.api.enums.v1.IndexedValueType;

/** The server's name for each search attribute type the project uses. */
export function indexedValueType(type: SearchAttributeType): temporal.api.enums.v1.IndexedValueType {
  if (type === SearchAttributeType.KEYWORD) return IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  if (type === SearchAttributeType.KEYWORD_LIST) return IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD_LIST;
  throw new Error(`search attribute type ${type} is not registered by this project`);
}

/** The project's custom search attributes, as the operator service registers them. */
export function searchAttributeRegistrations(names?: readonly string[]) {
  return Object.fromEntries(
    CUSTOM_SEARCH_ATTRIBUTES.filter(({ name }) => !names || names.includes(name)).map(({ name, type }) => [
      name,
      indexedValueType(type),
    ]),
  );
}

/** Registers the project's custom search attributes that the namespace lacks; returns those it added. */
export async function ensureSearchAttributes(connection: Connection, namespace: string): Promise<string[]> {
  const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = CUSTOM_SEARCH_ATTRIBUTES.map(({ name }) => name).filter(
    (name) => customAttributes?.[name] === undefined,
  );
  if (missing.length) {
    await connection.operatorService.addSearchAttributes({
      namespace,
      searchAttributes: searchAttributeRegistrations(missing),
    });
  }
  return missing;
}
