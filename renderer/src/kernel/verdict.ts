import type { ClassificationOut } from '../../../shared/kernel/contract';
import type { Target } from './store';

export type Tone = 'success' | 'warning' | 'danger';

/**
 * The one-line answer to "can my pod set this?", combining the kubelet verdict, PodSecurity
 * and the host-namespace conflicts, plus what to do about it. `short` ends the sentence
 * "For <target>: ..." in the detail panel (e2e tests read it).
 */
export function podAnswer(c: ClassificationOut, t: Target): { tone: Tone; short: string; headline: string; kind: 'host-conflict' | 'node-level' | 'unsafe' | 'psa' | 'safe' } {
  const k = c.kubernetes;
  const hostConflict = (t.hostNetwork && k.conflictsWithHostNetwork) || (t.hostIPC && k.conflictsWithHostIPC);
  if (hostConflict) {
    const ns = t.hostNetwork && k.conflictsWithHostNetwork ? 'network' : 'IPC';
    return {
      kind: 'host-conflict',
      tone: 'danger',
      short: 'a pod cannot set it',
      headline: `A host${ns === 'network' ? 'Network' : 'IPC'} pod shares the node's ${ns} namespace, so setting this key would change the whole node. Drop host${ns === 'network' ? 'Network' : 'IPC'} from the pod, or set the key on the node.`,
    };
  }
  if (k.status === 'node-level' || !k.settableInPod) {
    return {
      kind: 'node-level',
      tone: 'danger',
      short: 'a pod cannot set it',
      headline: 'Node-level: there is one value for the whole node. Set it on the node (sysctl.d file, Tuned resource, or a privileged DaemonSet as the last resort), not in the pod spec.',
    };
  }
  if (k.status === 'unsafe') {
    return {
      kind: 'unsafe',
      tone: 'warning',
      short: 'a pod can set it only after the nodes allow it',
      headline:
        'Namespaced but not on the safe list: add it to allowedUnsafeSysctls in the KubeletConfiguration of the nodes that run the pod, and run the pod in a namespace whose PodSecurity level is privileged.',
    };
  }
  if (k.podSecurityBaseline === 'forbidden') {
    return {
      kind: 'psa',
      tone: 'warning',
      short: 'a pod can set it, but PodSecurity baseline rejects the pod',
      headline:
        'The kubelet allows it, but the PodSecurity baseline of this version does not: run the pod in a namespace at the privileged level, or raise the namespace’s enforce-version label.',
    };
  }
  return { kind: 'safe', tone: 'success', short: 'a pod can set it', headline: 'Safe: any pod may list it in spec.securityContext.sysctls. No kubelet or PodSecurity change is needed.' };
}

/** Who produces each error text, in the order a user meets them (apply, admission, kubelet, runtime). */
export const ERROR_SOURCES: { key: keyof ClassificationOut['kubernetes']['errors']; title: string }[] = [
  { key: 'apiValidation', title: 'kubectl apply: the API server rejects the pod' },
  { key: 'podSecurity', title: 'kubectl apply: PodSecurity admission rejects the pod' },
  { key: 'sysctlForbidden', title: 'Pod status SysctlForbidden: the kubelet refuses to run it' },
  { key: 'sysctlForbiddenWhenAllowlisted', title: 'SysctlForbidden even after allowlisting it on the kubelet' },
  { key: 'kubeletStart', title: 'The kubelet does not start with it in allowedUnsafeSysctls' },
  { key: 'runtime', title: 'The container runtime (runc) fails to start the container' },
];

/** "For Kubernetes 1.33 on kernel 6.1 (PodSecurity v1.26), a hostNetwork pod" */
export function targetText(t: Target, hostKernel: string): string {
  const kernel = t.kernel ? `node kernel ${t.kernel}` : `this host's kernel${hostKernel ? ` ${hostKernel}` : ''}`;
  return `For Kubernetes ${t.k8s} on ${kernel}${t.podSecurityVersion ? ` (PodSecurity ${t.podSecurityVersion})` : ''}${t.hostNetwork ? ', a hostNetwork pod' : ''}${t.hostIPC ? ', a hostIPC pod' : ''}`;
}
