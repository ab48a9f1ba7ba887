import { Alert, List, Text } from '@mantine/core';
import { createContext, useContext } from 'react';
import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';
import type { PortalKey } from '../i18n/portal.ts';

/** Whether the page is the customer portal's (Shell provides it): its alerts speak the portal's language. */
export const CustomerView = createContext(false);

/** The portal catalog's words for a failure, by HTTP status (0: the server was not reached). */
function portalTitle(status: number): PortalKey {
  if (status === 0) return 'portal.error.network';
  if (status === 400 || status === 422) return 'portal.error.invalid';
  if (status === 401 || status === 403) return 'portal.error.forbidden';
  if (status === 404) return 'portal.error.notFound';
  if (status === 409) return 'portal.error.conflict';
  if (status === 429) return 'portal.error.tooMany';
  return 'portal.error.server';
}

/**
 * Any failure as the user needs it: the server's message and each field or line it names. A customer reads the
 * title in the portal's language (the API speaks English); the server's message stays below it, for support.
 */
export function ErrorAlert({ error }: { error: unknown }) {
  const customer = useContext(CustomerView);
  const { t } = useI18n();
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const message = e?.message ?? String((error as Error).message ?? error);
  return (
    <Alert color="red" role="alert" title={customer ? t(portalTitle(e?.status ?? 500)) : message}>
      {customer && (
        <Text size="sm" c="dimmed">
          {message}
        </Text>
      )}
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
