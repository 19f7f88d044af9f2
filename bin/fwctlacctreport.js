#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.hugetlb=1:${GLIBC_TUNABLES} node
// The first line asks glibc to back large buffers with transparent huge pages: see launch.js.
import { launch } from './launch.js';

await launch('fwctlacctreport', '../src/compat/fwctlacctreport.ts');
