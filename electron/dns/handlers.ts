import type { FeatureHandlers } from '../api/handler';

export const dnsHandlers: FeatureHandlers<'dns'> = {};
