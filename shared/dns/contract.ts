import type { EventContract, FeatureContract } from '../api/define';

export const dnsContract = {} satisfies FeatureContract;

export const dnsEvents = {} satisfies EventContract;
