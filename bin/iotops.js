#!/usr/bin/env node
// The server is TypeScript run natively by Node 24 (type stripping); this shim only loads it.
import '../src/main.ts';
