import { fileURLToPath } from 'node:url';
import { defineConfig, loadEnv, type ProxyOptions } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../..', import.meta.url));

// The client is plain TypeScript + JSX: Vite's own transform handles it, no framework plugin.
// HEARTH_API_PORT (the dev proxy's target) and HEARTH_WEB_OUT (the build's folder) come from the
// environment or a .env file at the repository's root, read through Vite's loadEnv; nothing of
// them reaches the client's code (only VITE_-prefixed variables would).
export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, repo, 'HEARTH_');
  const api = `http://127.0.0.1:${env['HEARTH_API_PORT'] || '3000'}`;
  return {
    root,
    base: '/',
    publicDir: false,
    oxc: { jsx: { runtime: 'automatic' } },
    build: {
      outDir: env['HEARTH_WEB_OUT'] || fileURLToPath(new URL('../../dist/web', import.meta.url)),
      emptyOutDir: true,
      assetsDir: 'assets',
      sourcemap: false,
      // A strict CSP forbids inline scripts: never inline the module preload helper.
      modulePreload: { polyfill: false },
      assetsInlineLimit: 0,
    },
    server: {
      port: 5173,
      // The API only accepts sockets from its allowed origins: present the proxied ones as its own.
      proxy: Object.fromEntries(
        ['/graphql', '/audit', '/health', '/socket.io'].map((path): [string, ProxyOptions] => [
          path,
          {
            target: api,
            ws: path === '/socket.io',
            configure: (proxy) => {
              proxy.on('proxyReq', (req) => req.setHeader('origin', api));
              proxy.on('proxyReqWs', (req) => req.setHeader('origin', api));
            },
          },
        ]),
      ),
    },
  };
});
