import { createContext, useContext } from 'react';

/**
 * The page shows configuration files, not a running firewalld (an image, a stopped firewalld,
 * or the admin asked for it): one layer, no runtime column, nothing that needs a daemon.
 */
export const OfflineViewContext = createContext(false);

export const useOfflineView = (): boolean => useContext(OfflineViewContext);
