import { ApiError } from '../../../shared/api/errors';
import type { OfflineWriteOp, OfflineWriteResult } from '../../../shared/firewall/offline/write-contract';
import type { Host } from '../../hosts/host';
import type { OfflineFirewall } from './firewall';

export class OfflineWriter {
  constructor(
    private readonly host: Host,
    private readonly reader: OfflineFirewall,
  ) {}

  async write(input: { ops: OfflineWriteOp[]; dryRun?: boolean; basis?: string }): Promise<OfflineWriteResult> {
    void input;
    void this.host;
    void this.reader;
    throw new ApiError('UNSUPPORTED', 'not yet');
  }

  async digest(): Promise<{ digest: string }> {
    throw new ApiError('UNSUPPORTED', 'not yet');
  }
}
