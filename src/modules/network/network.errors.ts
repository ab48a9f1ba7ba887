export const NetworkErrors = {
  windowInvalid: 'network.window_invalid',
  cursorInvalid: 'network.cursor_invalid',
  bucketTooSmall: 'network.bucket_too_small',
  staffOnly: 'network.staff_only',
} as const;
