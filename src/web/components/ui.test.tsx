// @vitest-environment happy-dom
import { render, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/client.ts';
import { ErrorAlert, formatAge, formatDateTime, StatusBadge } from './ui.tsx';

describe('ui primitives', () => {
  it('formats ages the SPEC way', () => {
    const now = Date.parse('2026-11-27T12:00:00Z');
    expect(formatAge(now - 1000, now)).toBe('just now');
    expect(formatAge(now - 30_000, now)).toBe('30s ago');
    expect(formatAge(now - 5 * 60_000, now)).toBe('5m ago');
    expect(formatAge(now - 2 * 3_600_000, now)).not.toMatch(/ago/);
  });

  it('shows a dash for missing or invalid dates', () => {
    expect(formatDateTime(undefined)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
    expect(formatDateTime('2026-11-27T12:00:00Z')).not.toBe('—');
  });

  it('gives run statuses their tones and always the word', () => {
    render(
      <>
        <StatusBadge status="running" />
        <StatusBadge status="failed" />
        <StatusBadge status="idle" />
      </>,
    );
    expect(screen.getByText('running').className).toContain('badge-warning');
    expect(screen.getByText('failed').className).toContain('badge-danger');
    expect(screen.getByText('idle').className).toContain('badge-neutral');
  });

  it('shows the request id of a failed request', () => {
    render(<ErrorAlert error={new ApiError(502, 'core_unavailable', 'core is unreachable', 'req-42')} />);
    expect(screen.getByRole('alert').textContent).toContain('core is unreachable');
    expect(screen.getByText('req-42')).toBeTruthy();
  });
});
