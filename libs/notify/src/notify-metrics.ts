import { Injectable, Optional } from '@nestjs/common';
import { Counter, Gauge, Registry } from 'prom-client';
import { Metrics } from '@hearth/observability';

/**
 * The outbox's metrics, on the app's registry when there is one (the API's /metrics): depth and
 * oldest due age are set by each worker tick; sends and failures are counted per channel.
 */
@Injectable()
export class NotifyMetrics {
  readonly depth: Gauge;
  readonly oldestDueSeconds: Gauge;
  readonly sent: Counter<'channel'>;
  readonly failed: Counter<'channel'>;
  readonly dropped: Counter<'channel'>;

  constructor(@Optional() metrics?: Metrics) {
    const registers = [metrics?.registry ?? new Registry()];
    this.depth = new Gauge({ name: 'hearth_outbox_depth', help: 'Outbox messages pending (due or not)', registers });
    this.oldestDueSeconds = new Gauge({
      name: 'hearth_outbox_oldest_pending_seconds',
      help: 'Age of the oldest outbox message that is due and not yet sent',
      registers,
    });
    this.sent = new Counter({
      name: 'hearth_outbox_sent_total',
      help: 'Outbound messages sent, by channel',
      labelNames: ['channel'] as const,
      registers,
    });
    this.failed = new Counter({
      name: 'hearth_outbox_failures_total',
      help: 'Failed send attempts, by channel',
      labelNames: ['channel'] as const,
      registers,
    });
    this.dropped = new Counter({
      name: 'hearth_outbox_dropped_total',
      help: 'Messages dropped at send time because the recipient may no longer be told',
      labelNames: ['channel'] as const,
      registers,
    });
  }
}
