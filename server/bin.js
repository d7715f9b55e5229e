#!/usr/bin/env -S node --max-semi-space-size=4
// A 4 MiB young generation (V8's default grows to 16) costs little speed and ~30 MB at 1M keys.
// rewind-server: see launch.js for how the compiled or the TypeScript entry point is chosen.
import { launch } from './launch.js';

await launch('main');
