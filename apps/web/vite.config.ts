import { fileURLToPath } from 'node:url';
import { defineConfig, type ProxyOptions } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const api = `http://127.0.0.1:${process.env['HEARTH_API_PORT'] ?? '3000'}`;

// The client is plain TypeScript + JSX: Vite's own transform handles it, no framework plugin.
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: process.env['HEARTH_WEB_OUT'] ?? fileURLToPath(new URL('../../dist/web', import.meta.url)),
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
});
