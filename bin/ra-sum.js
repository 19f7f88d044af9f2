#!/usr/bin/env node
import { launch } from './launch.js';

await launch('ra-sum', '../src/compat/ra_sum.ts');
