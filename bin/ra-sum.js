#!/usr/bin/env node
import { launch } from './launch.js';

await launch('../src/compat/ra_sum.ts');
