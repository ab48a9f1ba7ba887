import { z } from 'zod';
import { CaseEventView, CaseNumberParams } from './cases.schemas.ts';

export const AttachmentView = z
  .object({
    id: z.number().int(),
    eventId: z.number().int(),
    filename: z.string(),
    contentType: z.string(),
    size: z.number().int().describe('Bytes'),
    sha256: z.string().describe('Hex SHA-256 of the bytes'),
    createdBy: z.number().int().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'CaseAttachment' });

// Control characters (C0, DEL, C1) and both path separators: a filename, never a path.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_FILENAME = /[\u0000-\u001f\u007f-\u009f/\\]/;

export const AttachmentFilename = z
  .string()
  .min(1)
  .max(255)
  .refine((f) => !UNSAFE_FILENAME.test(f), 'no path separators or control characters')
  .refine((f) => f !== '.' && f !== '..', 'not . or ..');

export const UploadAttachmentQuery = z.object({
  filename: AttachmentFilename.describe('The file name (no path): 1–255 characters, no / \\ or control characters'),
});

export const AttachmentUploadParams = CaseNumberParams.extend({ eventId: z.coerce.number().int().positive() });
export const AttachmentParams = CaseNumberParams.extend({ id: z.coerce.number().int().positive() });

export const CaseEventList = z
  .object({
    items: z.array(CaseEventView.extend({ attachments: z.array(AttachmentView) }).meta({ id: 'CaseTimelineEntry' })),
  })
  .meta({ id: 'CaseEventList' });
