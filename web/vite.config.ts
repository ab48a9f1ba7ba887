import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is built into web/dist at `npm install` (scripts/build-web.ts) and served by the iotops process at
// `/`. `npx vite web` serves it with hot reload against a running `npm start` (the API proxied to :8080).
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 300,
    rolldownOptions: {
      output: {
        // Vendor chunks for the libraries every screen needs in full: the browser fetches and compiles them in
        // parallel with the app's own code, and they stay cached across releases that change only the app. Mantine
        // is left to the default splitting: a group would pull every component any screen uses into the first load.
        codeSplitting: {
          groups: [
            { name: 'react', test: /[\\/]node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'router', test: /[\\/]node_modules[\\/]react-router[\\/]/ },
            // query-core apart: the boot entry needs it before React (app/boot.ts); react-query needs React.
            { name: 'query-core', test: /[\\/]node_modules[\\/]@tanstack[\\/]query-core[\\/]/ },
            { name: 'query', test: /[\\/]node_modules[\\/]@tanstack[\\/]react-query[\\/]/ },
            // The kit's parts most screens share (inputs, comboboxes, buttons, layout) in one chunk rather than
            // ~20 small ones a screen waits for one after the other; parts few screens use stay with them.
            { name: 'kit', test: /[\\/]node_modules[\\/](@mantine|@floating-ui)[\\/]/, minShareCount: 5 },
          ],
        },
      },
    },
  },
  server: { proxy: { '/api': 'http://127.0.0.1:8080' } },
});
