import { sessionBus, type MessageBus } from '@jellybrick/dbus-next';
import { ApiError } from '../../shared/api/errors';

export const DEFAULT_SYSTEM_BUS = 'unix:path=/var/run/dbus/system_bus_socket';

/**
 * Connects to a system bus at an explicit address. dbus-next has no connect timeout and a
 * failed socket only emits 'error', so both are turned into a settled promise here.
 */
export function connectBus(address: string | undefined, timeoutMs = 5000): Promise<MessageBus> {
  const busAddress = address ?? DEFAULT_SYSTEM_BUS;
  return new Promise((resolve, reject) => {
    let bus: MessageBus;
    let settled = false;
    const fail = (why: string, cause?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      try {
        bus?.disconnect();
      } catch {
        /* already gone */
      }
      reject(new ApiError('FIREWALLD_NOT_RUNNING', why, { busAddress, cause: cause instanceof Error ? cause.message : cause }));
    };
    const timer = setTimeout(() => fail(`The system bus at ${busAddress} did not answer within ${timeoutMs} ms`), timeoutMs);
    try {
      bus = sessionBus({ busAddress });
    } catch (e) {
      fail(`Cannot connect to the system bus at ${busAddress}`, e);
      return;
    }
    // `on`, not `once`: a handshake that fails can emit 'error' twice (the socket's error, then
    // ERR_STREAM_WRITE_AFTER_END from the handshake), and an 'error' without a listener ends the process.
    (bus as unknown as NodeJS.EventEmitter).on('error', (e: unknown) =>
      fail(`Cannot connect to the system bus at ${busAddress}: ${e instanceof Error ? e.message : String(e)}`, e),
    );
    bus.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(bus);
    });
  });
}
