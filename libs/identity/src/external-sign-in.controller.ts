import { Controller, Get, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public } from '@hearth/authz';
import { HEARTH_CONFIG, type HearthConfig } from '@hearth/config';
import { RequestContext } from '@hearth/observability';
import {
  ATTEMPT_TTL_SECONDS,
  ExternalSignInError,
  ExternalSignInService,
  ExternalSignInThrottled,
} from './external-sign-in.service.js';

/** Ties a callback to the browser that started the sign-in (login CSRF). */
const COOKIE = 'hearth_oidc';
const COOKIE_PATH = '/auth/oidc';

/**
 * The browser's side of a sign-in through an agency's identity provider: redirects only. The
 * outcome goes to the web client as `/?signin=<one-time code>` or `/?signinError=<CODE>`.
 */
@Public()
@Controller('auth/oidc')
export class ExternalSignInController {
  constructor(
    private readonly external: ExternalSignInService,
    @Inject(HEARTH_CONFIG) private readonly config: HearthConfig,
  ) {}

  @Get('callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const query = new URLSearchParams(
      req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '',
    );
    res.setHeader('cache-control', 'no-store');
    try {
      const handoff = await this.external.callback(query, cookieOf(req.headers.cookie, COOKIE));
      // Kept after a refusal: a forged callback must not spoil the real one in flight.
      res.clearCookie(COOKIE, this.cookieOptions());
      res.redirect(302, `/?signin=${encodeURIComponent(handoff)}`);
    } catch (error) {
      if (!(error instanceof ExternalSignInError)) throw error;
      res.redirect(302, `/?signinError=${error.code}`);
    }
  }

  @Get(':agencyId/start')
  async start(@Param('agencyId') agencyId: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    res.setHeader('cache-control', 'no-store');
    // The provider returns to the public URL: the cookie must be set on that origin (say
    // localhost rather than 127.0.0.1), so a start reached under another name goes there first.
    const publicOrigin = new URL(this.config.publicUrl).origin;
    if (`${req.protocol}://${req.get('host') ?? ''}` !== publicOrigin && req.query['via'] === undefined) {
      res.redirect(302, `${this.config.publicUrl}/auth/oidc/${encodeURIComponent(agencyId)}/start?via=public-url`);
      return;
    }
    try {
      const { location, browser } = await this.external.start(agencyId, RequestContext.current()?.clientAddress);
      res.cookie(COOKIE, browser, { ...this.cookieOptions(), maxAge: ATTEMPT_TTL_SECONDS * 1000 });
      res.redirect(302, location);
    } catch (error) {
      if (error instanceof ExternalSignInThrottled) {
        res.setHeader('retry-after', String(error.retryAfterSeconds));
        res.status(429).type('text/plain').send('Too many sign-ins started from this address; try again later.');
        return;
      }
      if (!(error instanceof ExternalSignInError)) throw error;
      res.redirect(302, `/?signinError=${error.code}`);
    }
  }

  private cookieOptions() {
    // Lax: the provider's redirect back is a top-level GET from another site.
    return {
      httpOnly: true,
      sameSite: 'lax' as const,
      secure: this.config.publicUrl.startsWith('https:'),
      path: COOKIE_PATH,
    };
  }
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
