import { Injectable } from '@nestjs/common';
import { signWebhook } from './webhook-signature.js';

export const WEBHOOK_TIMEOUT_MS = 10_000;

/** Posts one signed webhook; resolves on a 2xx answer, throws otherwise. */
@Injectable()
export class WebhookSender {
  async send(url: string, secret: string, id: string, body: string, now: Date): Promise<void> {
    const timestamp = Math.floor(now.getTime() / 1000);
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(secret, id, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.status < 200 || response.status >= 300) throw new Error(`HTTP ${response.status}`);
  }
}
