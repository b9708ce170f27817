// No zod here: the kernel CLI's options name these on every run, and the contract (zod) loads
// only when a call needs it (shared/api/plans.ts).

/**
 * Which artefact an export document is (`kernel export --part`): Kubernetes objects (pod,
 * deployment, tuned, daemonset) and the files or commands that go elsewhere (kubelet config, ...).
 */
export const EXPORT_PARTS = ['pod', 'deployment', 'kubelet-config', 'flags', 'node-label', 'sysctl.d', 'tuned', 'daemonset', 'tuned.conf'] as const;

/** The container image placeholder an export uses when none is given. */
export const DEFAULT_IMAGE = 'registry.example/app:latest';
