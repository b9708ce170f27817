import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import { emptyFilter, type KernelFilter } from '../../../shared/kernel/filter';
import { K8S_DEFAULT_VERSION, k8sVersions } from '../../../shared/kernel/version';

// The Kernel page's settings that are not tied to a host, apart from its store: the shell reads
// them to start the page's first read before the page's own chunk has arrived (first-read.ts).

export interface ProfileLine {
  key: string;
  value: string;
}

/** What the Kubernetes verdicts are computed for: versions plus the pod's PodSecurity level and host namespaces. */
export interface Target {
  k8s: string;
  /** '' = this host's kernel */
  kernel: string;
  /** '' = same as the Kubernetes version; 'latest' or 'v1.x' = the namespace's enforce-version label */
  podSecurityVersion: string;
  hostNetwork: boolean;
  hostIPC: boolean;
}

export type ExportKind = 'pod' | 'kubelet' | 'node' | 'sandbox' | 'tuned';

/** The exported Pod/Deployment's own names ('' = the export's default). */
export interface ExportWorkload {
  namespace: string;
  podName: string;
  image: string;
}

/**
 * What is not tied to a host: the profile being written (it can be applied to several hosts),
 * the Kubernetes target, the list filter, the export's names and the revert preference.
 */
export interface KernelSettings {
  target: Target;
  filter: KernelFilter;
  profile: ProfileLine[];
  profileName: string;
  exportWorkload: ExportWorkload;
  /** "Revert unless confirmed": seconds for the next apply (null: off). */
  revertSeconds: number | null;
  setFilter(f: Partial<KernelFilter>): void;
  setProfileName(name: string): void;
  setRevertSeconds(s: number | null): void;
}

export function targetInput(t: Target) {
  return {
    k8s: t.k8s,
    kernel: t.kernel || undefined,
    podSecurityVersion: t.podSecurityVersion || undefined,
    hostNetwork: t.hostNetwork || undefined,
    hostIPC: t.hostIPC || undefined,
  };
}

/** A stored target with a field this version no longer offers falls back to the default for that field. */
function validTarget(t: Target, d: Target): Target {
  return {
    k8s: k8sVersions.includes(t.k8s) ? t.k8s : d.k8s,
    kernel: typeof t.kernel === 'string' ? t.kernel : d.kernel,
    podSecurityVersion: typeof t.podSecurityVersion === 'string' ? t.podSecurityVersion : d.podSecurityVersion,
    hostNetwork: t.hostNetwork === true,
    hostIPC: t.hostIPC === true,
  };
}

/** What survives a reload (localStorage): the profile being edited and the Kubernetes target. */
type Persisted = Pick<KernelSettings, 'profile' | 'profileName' | 'target' | 'exportWorkload'>;
export const KERNEL_STORAGE_KEY = 'hostdeck.kernel';

export const useKernelSettings = create<KernelSettings>()(
  persist(
    (set, get) => ({
      target: { k8s: K8S_DEFAULT_VERSION, kernel: '', podSecurityVersion: '', hostNetwork: false, hostIPC: false },
      filter: emptyFilter,
      profile: [],
      profileName: '90-hostdeck',
      exportWorkload: { namespace: '', podName: '', image: '' },
      revertSeconds: null,
      setFilter(f) {
        set({ filter: { ...get().filter, ...f } });
      },
      setProfileName(name) {
        set({ profileName: name });
      },
      setRevertSeconds(s) {
        set({ revertSeconds: s });
      },
    }),
    {
      name: KERNEL_STORAGE_KEY,
      version: 1,
      storage: createJSONStorage(() => localStorage),
      partialize: (s): Persisted => ({ profile: s.profile, profileName: s.profileName, target: s.target, exportWorkload: s.exportWorkload }),
      // A stored target from an older version keeps the fields it has; new fields take their defaults.
      merge: (stored, current) => {
        const p = (stored ?? {}) as Partial<Persisted>;
        return {
          ...current,
          profile: Array.isArray(p.profile) ? p.profile.filter((l) => typeof l?.key === 'string' && typeof l?.value === 'string') : current.profile,
          profileName: typeof p.profileName === 'string' ? p.profileName : current.profileName,
          exportWorkload: {
            namespace: typeof p.exportWorkload?.namespace === 'string' ? p.exportWorkload.namespace : '',
            podName: typeof p.exportWorkload?.podName === 'string' ? p.exportWorkload.podName : '',
            image: typeof p.exportWorkload?.image === 'string' ? p.exportWorkload.image : '',
          },
          target: validTarget({ ...current.target, ...(p.target && typeof p.target === 'object' ? p.target : {}) }, current.target),
        };
      },
    },
  ),
);

