#!/usr/bin/env node
import { launch } from './launch.js';

await launch('tstat_cull', '../src/compat/tstat_cull.ts');
