import { RollerError, validationFailed } from '../../shared/errors.ts';
import type { ServiceDependencyCreateBody } from '../../shared/schemas/map-build.ts';
import type {
  DependencyEnd,
  ServiceDependencyRepository,
  ServiceDependencyRow,
} from '../../storage/service-dependency.repository.ts';
import { optionalText } from './manual-link.service.ts';

const notFoundError = (entity: string, id: string) => new RollerError('not_found', `${entity} not found`, { id });

function presentEnd(deviceId: string, deviceName: string | null, serviceId: string | null) {
  return {
    device_id: deviceId,
    ...(deviceName !== null && deviceName.trim() !== '' ? { device_name: deviceName } : {}),
    ...(serviceId !== null ? { service_id: serviceId } : {}),
  };
}

function present(row: ServiceDependencyRow) {
  return {
    id: row.id,
    from: presentEnd(row.from_device_id, row.from_device_name, row.from_service_id),
    to: presentEnd(row.to_device_id, row.to_device_name, row.to_service_id),
    level: row.from_service_id !== null && row.to_service_id !== null ? ('service' as const) : ('device' as const),
    source: row.source,
    ...(row.description !== null ? { description: row.description } : {}),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

function parseEnd(name: 'from' | 'to', end: ServiceDependencyCreateBody['from']): DependencyEnd {
  if ((end.service_id === undefined) === (end.device_id === undefined)) {
    throw validationFailed('invalid dependency end', {
      end: name,
      error: 'give exactly one of service_id or device_id',
    });
  }
  return end.service_id !== undefined
    ? { serviceId: end.service_id.toLowerCase() }
    : { deviceId: (end.device_id as string).toLowerCase() };
}

/** "A depends on B" between services, or between devices that have no service rows. */
export class ServiceDependencyService {
  constructor(private readonly dependencies: ServiceDependencyRepository) {}

  async list(query: { device_id?: string; service_id?: string }) {
    const rows = await this.dependencies.list({
      ...(query.device_id ? { deviceId: query.device_id.toLowerCase() } : {}),
      ...(query.service_id ? { serviceId: query.service_id.toLowerCase() } : {}),
    });
    return { dependencies: rows.map(present) };
  }

  async get(id: string) {
    const row = await this.dependencies.get(id);
    if (!row) throw notFoundError('dependency', id);
    return present(row);
  }

  async create(body: ServiceDependencyCreateBody) {
    const from = parseEnd('from', body.from);
    const to = parseEnd('to', body.to);
    const result = await this.dependencies.create(from, to, optionalText(body.description) ?? null);
    switch (result.kind) {
      case 'ok':
        return present(result.row);
      case 'not_found':
        throw notFoundError(result.entity, result.id);
      case 'self':
        throw validationFailed('a dependency needs two different ends');
      case 'duplicate':
        throw new RollerError('conflict', 'this dependency already exists');
    }
  }

  async update(id: string, description: string | null) {
    const row = await this.dependencies.update(id, optionalText(description) ?? null);
    if (!row) throw notFoundError('dependency', id);
    return present(row);
  }

  async delete(id: string): Promise<void> {
    if (!(await this.dependencies.delete(id))) throw notFoundError('dependency', id);
  }
}
