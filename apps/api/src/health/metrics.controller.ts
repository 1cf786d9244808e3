import { Controller, Get, Header, Inject, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { Public } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { Metrics } from '@hearth/observability';

/**
 * Prometheus metrics. With HEARTH_METRICS_TOKEN set, a scraper must send it as a bearer token;
 * without it, /metrics is open outside production and closed in production.
 */
@Public()
@Controller('metrics')
export class MetricsController {
  constructor(
    @Inject(Metrics) private readonly metrics: Metrics,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  async scrape(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<string> {
    if (!this.allowed(req.headers.authorization)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      return 'unauthorized\n';
    }
    res.type(this.metrics.contentType);
    return this.metrics.render();
  }

  private allowed(header: string | undefined): boolean {
    const token = this.config.metricsToken;
    if (!token) return this.config.nodeEnv !== 'production';
    const given = Buffer.from(header ?? '');
    const expected = Buffer.from(`Bearer ${token}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}
