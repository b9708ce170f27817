// Loaded with `node --import`: appends every module URL the process resolves to the file named
// by HOSTDECK_TEST_MODULE_TRACE (one per line), to check what a command loads.
import { register } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

register(new URL('./module-trace-hooks.mjs', import.meta.url), { data: { file: process.env.HOSTDECK_TEST_MODULE_TRACE } });
