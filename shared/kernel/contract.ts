import type { EventContract, FeatureContract } from '../api/define';

export const kernelContract = {} satisfies FeatureContract;

export const kernelEvents = {} satisfies EventContract;
