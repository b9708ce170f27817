/**
 * What the kernel handlers' writes use (apply and undo, the helper's protocol schemas, the helper
 * call): loaded by the first write, so a `kernel list` evaluates none of it (issue #22).
 */
export { deleteFileResultSchema, helperBackupDir, writeFileResultSchema } from '../../shared/helper/protocol';
export { unwrapHelper } from '../helper/call';
export { hostHelper } from '../helper/host';
export { applySettings, requireWeakeningConfirmed, undoApply } from './apply';
