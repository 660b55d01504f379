import { Link } from 'react-router';
import { ApiError } from '../api/client.ts';
import { Button, EmptyState } from '../components/ui.tsx';

/** A whole-page error with its request id and a way out (SPEC §10.1 states). */
export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const message =
    error instanceof Error && error.message ? error.message : 'Something went wrong while loading this page.';
  const requestId = error instanceof ApiError ? error.requestId : undefined;
  return (
    <div className="error-view" role="alert">
      <h1>Something went wrong</h1>
      <p>{message}</p>
      {requestId && (
        <p className="request-id">
          Request id <code>{requestId}</code>
        </p>
      )}
      {onRetry ? <Button onClick={onRetry}>Try again</Button> : <Link to="/">Go home</Link>}
    </div>
  );
}

export function NotFoundView() {
  return (
    <EmptyState title="Page not found">
      <p>
        Nothing lives at this address. <Link to="/devices">Back to devices</Link>
      </p>
    </EmptyState>
  );
}
