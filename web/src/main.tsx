import { type CSSVariablesResolver, createTheme, MantineProvider } from '@mantine/core';
import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.tsx';
import { queryClient } from './app/query-client.ts';

// Readable for everyone (WCAG AA 4.5:1; axe-core's colour-contrast check runs in the browser tests): filled
// colours at shade 8 instead of Mantine's 6, black or white text by the background, and a darker "dimmed".
// Comboboxes (Select, MultiSelect, Autocomplete) mount their option list only while open: Mantine's default keeps
// it mounted but hidden, and floating-ui then positions each hidden list at mount and on re-renders (a forced style
// recalculation each, ~100 ms of the queue's first render with four selects on the page).
const theme = createTheme({
  autoContrast: true,
  primaryShade: 8,
  components: { Combobox: { defaultProps: { keepMounted: false } } },
});
const cssVariables: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    // Error text (invalid inputs, their messages, alert titles) at red 9: red 6 on white fails 4.5:1.
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
  },
  dark: {},
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={cssVariables}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
