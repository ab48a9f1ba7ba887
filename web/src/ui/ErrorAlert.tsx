import { Alert, List } from '@mantine/core';
import { ApiError } from '../api/client.ts';

/** Any failure as the user needs it: the server's message and each field or line it names. */
export function ErrorAlert({ error }: { error: unknown }) {
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  return (
    <Alert color="red" role="alert" title={e?.message ?? String((error as Error).message ?? error)}>
      {e && e.details.length > 0 && (
        <List size="sm">
          {e.details.slice(0, 20).map((d) => (
            <List.Item key={`${d.line}|${d.field}|${d.reason}|${JSON.stringify(d.value)}`}>
              {[d.line !== undefined ? `line ${d.line}` : null, d.field].filter(Boolean).join(', ')}
              {d.value !== undefined ? ` (${JSON.stringify(d.value).slice(0, 80)})` : ''}: {d.reason}
            </List.Item>
          ))}
        </List>
      )}
    </Alert>
  );
}
