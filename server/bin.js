#!/usr/bin/env node
// Runs the TypeScript entry point through tsx, so `npx rewind-server` works without a build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
