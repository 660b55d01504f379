import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsImport from 'ajv-formats';
import { parse } from 'yaml';

const addFormats = addFormatsImport as unknown as (ajv: Ajv2020) => Ajv2020;

interface OpenApiDocument {
  paths: Record<
    string,
    Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>
  >;
}

export const OPENAPI_PATH = new URL('../../api/openapi.yaml', import.meta.url);

/**
 * Checks every response a test receives against the committed OpenAPI document: the status must be
 * documented for that operation and the body must match its schema. A handler that drifts from the
 * contract fails whichever test touches it.
 */
export class ContractChecker {
  private readonly document: OpenApiDocument;
  private readonly ajv: Ajv2020;
  private readonly routes: { method: string; template: string; pattern: RegExp }[];

  constructor(documentText = readFileSync(OPENAPI_PATH, 'utf8')) {
    this.document = parse(documentText) as OpenApiDocument;
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema(this.document as object, 'openapi');
    this.routes = Object.entries(this.document.paths).flatMap(([template, operations]) =>
      Object.keys(operations).map((method) => ({
        method: method.toUpperCase(),
        template,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`),
      })),
    );
  }

  /** Throws with a precise explanation when the response breaks the contract. */
  check(method: string, url: string, status: number, contentType: string | undefined, body: string): void {
    const path = url.split('?')[0] ?? url;
    const candidates = this.routes.filter((route) => route.method === method.toUpperCase() && route.pattern.test(path));
    // Literal segments win over {id}, as in the router.
    candidates.sort((a, b) => a.template.split('{').length - b.template.split('{').length);
    const route = candidates[0];
    if (!route) {
      if (status === 404 || status === 405) return; // unknown routes are outside the document
      throw new Error(`contract: ${method} ${path} answered ${status} but is not in the OpenAPI document`);
    }
    const responses = this.document.paths[route.template]?.[route.method.toLowerCase()]?.responses ?? {};
    const documented = responses[String(status)];
    if (!documented) {
      throw new Error(
        `contract: ${method} ${route.template} answered ${status}, documented are ${Object.keys(responses).join(', ')}; body ${body.slice(0, 300)}`,
      );
    }
    const mediaTypes = Object.keys(documented.content ?? {});
    if (mediaTypes.length === 0) return;
    const isJson = (contentType ?? '').includes('application/json');
    const mediaType = isJson ? 'application/json' : mediaTypes.find((type) => !type.includes('json'));
    if (!mediaType || !documented.content?.[mediaType]) {
      throw new Error(
        `contract: ${method} ${route.template} ${status} answered ${contentType}, documented ${mediaTypes.join(', ')}`,
      );
    }
    const pointer = [
      'paths',
      route.template,
      route.method.toLowerCase(),
      'responses',
      String(status),
      'content',
      mediaType,
      'schema',
    ]
      .map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1'))
      .join('/');
    const validate = this.ajv.getSchema(`openapi#/${pointer}`);
    if (!validate) throw new Error(`contract: no schema at ${pointer}`);
    const value = isJson ? JSON.parse(body) : body;
    if (!validate(value)) {
      throw new Error(
        `contract: ${method} ${route.template} ${status} body does not match the document: ${this.ajv.errorsText(validate.errors)}\n${body.slice(0, 500)}`,
      );
    }
  }
}
