import type { FeatureHandlers } from '../api/handler';

export const kernelHandlers: FeatureHandlers<'kernel'> = {};
