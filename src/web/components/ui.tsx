import {
  type ButtonHTMLAttributes,
  cloneElement,
  type ReactElement,
  type ReactNode,
  useEffect,
  useId,
  useRef,
} from 'react';
import { ApiError } from '../api/client.ts';

/** The small set of primitives every scene is built from (SPEC §10): no component library. */

type ButtonVariant = 'default' | 'primary' | 'danger';
export function Button({
  variant = 'default',
  pending,
  pendingLabel,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; pending?: boolean; pendingLabel?: string }) {
  return (
    <button
      type="button"
      {...rest}
      className={`button button-${variant} ${rest.className ?? ''}`}
      disabled={rest.disabled || pending}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
}

export type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';
export function Badge({ tone = 'neutral', children, title }: { tone?: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

/** SPEC §10.1 run status tones; the badge always carries the word, never colour alone. */
export function StatusBadge({ status }: { status: string }) {
  const tone: Tone =
    status === 'running'
      ? 'warning'
      : status === 'queued'
        ? 'info'
        : status === 'succeeded'
          ? 'success'
          : status === 'failed'
            ? 'danger'
            : 'neutral';
  return <Badge tone={tone}>{status}</Badge>;
}

export function Card({
  title,
  actions,
  children,
  className,
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`card ${className ?? ''}`}>
      {(title || actions) && (
        <header className="card-header">
          {title && <h2>{title}</h2>}
          {actions && <div className="card-actions">{actions}</div>}
        </header>
      )}
      {children}
    </section>
  );
}

export function Alert({ tone = 'info', children }: { tone?: Exclude<Tone, 'neutral'>; children: ReactNode }) {
  return (
    <div className={`alert alert-${tone}`} role={tone === 'danger' || tone === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** An error as the user sees it: the message and, when the server answered, its request id. */
export function ErrorAlert({ error, prefix }: { error: unknown; prefix?: string }) {
  const message = error instanceof Error ? error.message : 'Something went wrong.';
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <Alert tone="danger">
      {prefix ? `${prefix}: ` : ''}
      {message}
      {requestId && (
        <span className="request-id">
          {' '}
          (request id <code>{requestId}</code>)
        </span>
      )}
    </Alert>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty-state">
      <p className="empty-title">{title}</p>
      {children && <div className="empty-body">{children}</div>}
    </div>
  );
}

export function Skeleton({ lines = 3 }: { lines?: number }) {
  return (
    <div className="skeleton" role="status" aria-busy="true" aria-label="Loading">
      {Array.from({ length: lines }, (_, index) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: placeholder lines have no identity
        <div key={index} className="skeleton-line" />
      ))}
    </div>
  );
}

/** A modal confirmation built on <dialog> (focus trapping and Escape come with it). */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  onConfirm,
  onCancel,
  danger,
}: {
  open: boolean;
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  danger?: boolean;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal?.();
    if (!open && element.open) element.close?.();
  }, [open]);
  return (
    <dialog ref={dialog} className="dialog" onCancel={onCancel} aria-labelledby="dialog-title">
      <h2 id="dialog-title">{title}</h2>
      {children}
      <div className="dialog-actions">
        <Button onClick={onCancel}>Cancel</Button>
        <Button variant={danger ? 'danger' : 'primary'} onClick={onConfirm}>
          {confirmLabel}
        </Button>
      </div>
    </dialog>
  );
}

/**
 * One formatter for the whole app: `toLocaleString` with options builds a new Intl.DateTimeFormat per
 * call, which made rendering a page of 50 devices measurably slower (bench/web-devices.ts).
 */
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** Locale medium date + short time; missing or invalid → "—" (SPEC §10.1). */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '—';
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return '—';
  return DATE_TIME.format(date);
}

export function DateTime({ value }: { value: string | null | undefined }) {
  const text = formatDateTime(value);
  return text === '—' ? <span>—</span> : <time dateTime={value ?? undefined}>{text}</time>;
}

/** "just now" < 2 s, "<n>s ago" < 1 min, "<n>m ago" < 1 h, else a local timestamp (SPEC §10.2). */
export function formatAge(at: number, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.floor((now - at) / 1000));
  if (seconds < 2) return 'just now';
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  return DATE_TIME.format(new Date(at));
}

export function LastUpdated({ at, fetching }: { at: number; fetching: boolean }) {
  if (!at) return null;
  return (
    <p className="last-updated">
      Last updated {formatAge(at)}
      {fetching ? ' (refreshing…)' : ''}
    </p>
  );
}

/**
 * A labelled control: the label names it, the hint or error describes it (aria-describedby), so a
 * screen reader reads "New password" and then the rule, and tests can find it by its label alone.
 */
export function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string;
  children: ReactElement<{ id?: string; 'aria-describedby'?: string; 'aria-invalid'?: boolean }>;
}) {
  const id = useId();
  const describedBy = error || hint ? `${id}-description` : undefined;
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {cloneElement(children, {
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true } : {}),
      })}
      {error ? (
        <span className="field-error" id={describedBy} role="alert">
          {error}
        </span>
      ) : (
        hint && (
          <span className="field-hint" id={describedBy}>
            {hint}
          </span>
        )
      )}
    </div>
  );
}

/** Copies text; falls back to a hidden textarea where the Clipboard API is missing (plain http). */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    try {
      await navigator.clipboard.writeText(text);
      return;
    } catch {
      // fall through to the textarea path
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.style.position = 'fixed';
  area.style.opacity = '0';
  document.body.appendChild(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}
