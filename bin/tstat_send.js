#!/usr/bin/env node
import { launch } from './launch.js';

await launch('tstat_send', '../src/compat/tstat_send.ts');
