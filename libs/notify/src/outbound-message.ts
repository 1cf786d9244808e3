import type { OutboxRow } from './outbox.repository.js';

/** What may be said outside Hearth of one outbox message: references, names of rules, times, links. */
export interface MessageFacts {
  readonly familyReference: string | null;
  readonly ruleName: string | null;
  readonly dueBy: Date | null;
}

export interface Links {
  readonly publicUrl: string;
}

const TYPE_LINE: Record<string, string> = {
  EVENT_POSTED: 'A new event was shared',
  REPLY_POSTED: 'There is a new reply',
  MEMBERSHIP_CHANGED: 'The network changed',
  ACCESS_GRANTED: 'Emergency access was granted',
  ACCESS_REVOKED: 'Emergency access was withdrawn',
};

export function settingsLink(links: Links): string {
  return `${links.publicUrl}/settings/notifications`;
}

export function openLink(row: OutboxRow, links: Links): string {
  if (row.alert_id) return `${links.publicUrl}/alerts/${row.alert_id}`;
  if (row.family_id) return `${links.publicUrl}/families/${row.family_id}`;
  return links.publicUrl;
}

export interface EmailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The email of one message. Content-free by construction: it is built only from the family's
 * pseudonymous reference, the rule's name, the RAG, the deadline and links — never from an
 * event's summary or body, a person's name or an address.
 */
export function emailContent(row: OutboxRow, facts: MessageFacts, links: Links): EmailContent {
  const family = facts.familyReference ? `family ${facts.familyReference}` : 'a family';
  const lines: string[] = [];
  let subject: string;
  if (row.kind === 'DIGEST') {
    const n = row.item_count ?? 0;
    subject = `Hearth: your daily digest (${n} update${n === 1 ? '' : 's'})`;
    lines.push(`${n} update${n === 1 ? '' : 's'} arrived below your email setting or in your quiet hours.`);
  } else if (row.type === 'ALERT_RAISED' || row.type === 'ALERT_UPDATED') {
    const escalated = row.type === 'ALERT_UPDATED' ? ' (escalated)' : '';
    subject = `Hearth: ${row.rag ?? ''} alert${escalated} for ${family}`;
    lines.push(`A ${row.rag ?? ''} early-warning alert${escalated} needs you for ${family}.`);
    if (facts.ruleName) lines.push(`Rule: ${facts.ruleName}`);
    if (facts.dueBy) lines.push(`Respond by: ${facts.dueBy.toISOString().replace('T', ' ').slice(0, 16)} UTC`);
  } else {
    subject = `Hearth: an update for ${family}`;
    lines.push(`${TYPE_LINE[row.type ?? ''] ?? 'There is an update'} for ${family}.`);
  }
  const open = openLink(row, links);
  const settings = settingsLink(links);
  const footer = `You receive this because of your notification settings (${settings}). RED alerts always reach you.`;
  const text = [...lines, '', `Open Hearth: ${open}`, '', footer, ''].join('\n');
  const html = [
    '<!doctype html><html><body>',
    ...lines.map((l) => `<p>${escapeHtml(l)}</p>`),
    `<p><a href="${escapeHtml(open)}">Open Hearth</a></p>`,
    `<p style="color:#555;font-size:small">You receive this because of your <a href="${escapeHtml(settings)}">notification settings</a>. RED alerts always reach you.</p>`,
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

/** The JSON body of a webhook: ids, type, RAG, deadline and a link. No content. */
export function webhookPayload(row: OutboxRow, facts: MessageFacts, links: Links, now: Date): string {
  return JSON.stringify({
    type: `notification.${(row.type ?? 'unknown').toLowerCase()}`,
    timestamp: now.toISOString(),
    data: {
      idempotencyKey: row.idempotency_key,
      userId: row.user_id,
      familyId: row.family_id,
      familyReference: facts.familyReference,
      eventId: row.event_id,
      alertId: row.alert_id,
      rag: row.rag,
      ruleName: facts.ruleName,
      dueBy: facts.dueBy?.toISOString() ?? null,
      link: openLink(row, links),
    },
  });
}
