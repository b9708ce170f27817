/** The /proc/sys reader lives with the transports that use it (electron/hosts/proc-sys.ts). */
export { readLive, SIDE_EFFECT_ON_READ } from '../hosts/proc-sys';
