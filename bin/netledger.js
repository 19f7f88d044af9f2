#!/usr/bin/env node
import { launch } from './launch.js';

await launch('netledger', '../src/cli/entry.ts');
