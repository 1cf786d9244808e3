import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** The client talks only to its own origin: no inline script or style, no other host. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths that belong to the API, never to the client's routes. */
const API_PATHS = /^\/(graphql|health|metrics|audit|auth|socket\.io)(\/|$)/;

/**
 * Serves the built practitioners' client from `root` at `/`: hashed assets are immutable,
 * index.html is revalidated on every load, and the client's routes (/families/…) get index.html.
 * Returns false when there is no build to serve.
 */
export function serveWebClient(app: NestExpressApplication, root: string): boolean {
  const index = join(root, 'index.html');
  if (!existsSync(index)) return false;
  const secure = (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('content-security-policy', WEB_CSP);
    next();
  };
  app.use('/assets', secure);
  app.useStaticAssets(join(root, 'assets'), {
    prefix: '/assets/',
    index: false,
    fallthrough: false,
    immutable: true,
    maxAge: '365d',
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || API_PATHS.test(req.path) || /\.[a-z0-9]+$/i.test(req.path)) {
      next();
      return;
    }
    res.setHeader('content-security-policy', WEB_CSP);
    res.setHeader('cache-control', 'no-cache');
    // Relative to the root: `send` refuses any path with a dot-folder in it, and the root itself
    // may well be in one (~/.local/share/hearth/web).
    res.sendFile('index.html', { root });
  });
  return true;
}
