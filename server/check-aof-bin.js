#!/usr/bin/env node
// rewind-check-aof: see launch.js for how the compiled or the TypeScript entry point is chosen.
import { launch } from './launch.js';

await launch('check-aof-main');
