import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into web/dist at `npm install` (scripts/build-web.ts) and served by the iotops process at
// `/`. `npx vite web` serves it with hot reload against a running `npm start` (the API proxied to :8080).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 700 },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
