// The portal's build: one page served by the API at /portal (api/app.ts), hashed assets under /portal/assets.
// No inline script or style anywhere in the output, so the API's Content-Security-Policy needs no exception.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/portal/',
  plugins: [react()],
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    assetsDir: 'assets',
    // The polyfill would be an inline script; every browser the portal targets has modulepreload.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2020',
    sourcemap: false,
  },
});
