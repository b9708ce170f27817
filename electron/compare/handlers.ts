import type { FeatureHandlers } from '../api/handler';

export const compareHandlers: FeatureHandlers<'compare'> = {};
