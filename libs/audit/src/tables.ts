/** The tables audit owns: only its SQL names them (checked by `npm run lint`). */
export const AUDIT_TABLES = ['audit_entries', 'audit_seals', 'audit_checkpoints'] as const;
