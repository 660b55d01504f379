import { Ajv, type Options } from 'ajv';
import addFormatsImport from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats ships CommonJS with a default export.
const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

function createAjv(options: Options): Ajv {
  const ajv = new Ajv({ allErrors: false, strict: true, ...options });
  addFormats(ajv);
  // Annotations we attach to schemas for error messages and clamping; no validation meaning.
  ajv.addKeyword({ keyword: 'x-error' });
  ajv.addKeyword({ keyword: 'x-maximum' });
  return ajv;
}

/**
 * Bodies are validated strictly: no type coercion, unknown fields rejected (not stripped).
 * Query and path parameters arrive as text, so they are coerced to the schema's types.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const bodyAjv = createAjv({ coerceTypes: false, removeAdditional: false, useDefaults: false });
  const parameterAjv = createAjv({ coerceTypes: true, removeAdditional: false, useDefaults: true });
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? bodyAjv : parameterAjv;
    return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  };
}
