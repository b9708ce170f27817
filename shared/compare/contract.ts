import type { EventContract, FeatureContract } from '../api/define';

export const compareContract = {} satisfies FeatureContract;

export const compareEvents = {} satisfies EventContract;
