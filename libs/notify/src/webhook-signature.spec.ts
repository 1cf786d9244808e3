import { describe, expect, it } from '@jest/globals';
import { newWebhookSecret, signWebhook, verifyWebhook } from './webhook-signature.js';

describe('Standard Webhooks signatures', () => {
  // The example of the Standard Webhooks specification.
  it('match the specification’s published example', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    expect(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body)).toBe(
      'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    );
  });

  it('verify within the tolerance, and refuse a changed body, a wrong secret or a stale timestamp', () => {
    const secret = newWebhookSecret();
    const body = '{"a":1}';
    const headers = { id: 'm1', timestamp: '1000', signature: signWebhook(secret, 'm1', 1000, body) };
    expect(verifyWebhook(secret, headers, body, 1100)).toBe(true);
    expect(verifyWebhook(secret, headers, '{"a":2}', 1100)).toBe(false);
    expect(verifyWebhook(newWebhookSecret(), headers, body, 1100)).toBe(false);
    expect(verifyWebhook(secret, headers, body, 1400)).toBe(false);
  });
});
