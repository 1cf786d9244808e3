import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';

export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  readonly idempotencyKey: string;
  readonly unsubscribeUrl: string;
}

/**
 * Sends mail over SMTP_URL. Without it, outside production, each message is written as an
 * `.eml` file under `<HEARTH_DATA_DIR>/mail/` and logged in one line, so a developer sees what
 * would have gone out.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private readonly logger = new Logger('Mailer');
  private readonly transport: Transporter | null;
  private readonly folder: string | null;

  constructor(@Inject(HEARTH_CONFIG) private readonly config: HearthConfig) {
    if (config.mail.smtpUrl) {
      // A few kept-open connections: one per message costs a handshake each.
      this.transport = nodemailer.createTransport({
        url: config.mail.smtpUrl,
        pool: true,
        maxConnections: 5,
        maxMessages: 1000,
      });
      this.folder = null;
    } else if (config.nodeEnv !== 'production') {
      this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
      this.folder = join(config.dataDir, 'mail');
    } else {
      this.transport = null;
      this.folder = null;
    }
  }

  async send(mail: OutgoingMail): Promise<void> {
    if (!this.transport) throw new Error('no SMTP_URL is configured');
    const domain = new URL(this.config.publicUrl).hostname || 'hearth.invalid';
    const info: { message?: unknown } = await this.transport.sendMail({
      from: this.config.mail.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      // The same key gives the same Message-ID: a re-sent message is recognisably the same one.
      messageId: `<${Buffer.from(mail.idempotencyKey).toString('base64url')}@${domain}>`,
      headers: { 'X-Hearth-Idempotency-Key': mail.idempotencyKey },
      list: { unsubscribe: { url: mail.unsubscribeUrl, comment: 'Notification settings' } },
    });
    if (this.folder && Buffer.isBuffer(info.message)) {
      mkdirSync(this.folder, { recursive: true });
      const file = join(
        this.folder,
        `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.idempotencyKey.replace(/[^\w-]/g, '_')}.eml`,
      );
      writeFileSync(file, info.message);
      this.logger.log(`mail to ${mail.to} written to ${file}: ${mail.subject}`);
    }
  }

  onModuleDestroy(): void {
    this.transport?.close();
  }
}
