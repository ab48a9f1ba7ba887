export const NotificationsErrors = {
  notFound: 'notifications.not_found',
  staffOnly: 'notifications.staff_only',
  cursorInvalid: 'notifications.cursor_invalid',
} as const;
