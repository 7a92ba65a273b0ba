// A content type's JSON schema and the labels of its coded values (GET <base>/schema), fetched once.
import { api } from '../api.js';

const schemas = new Map();

export async function loadSchema(type) {
  if (!schemas.has(type.kind)) schemas.set(type.kind, await api.get(`${type.base}/schema`));
  return schemas.get(type.kind);
}

// Choices of a coded field, as {id, name} entries for a select.
export function labelEntries(schema, field) {
  return Object.entries(schema.enum_labels[field] || {}).map(([id, name]) => ({ id, name }));
}
