import {
  FormSelect,
  FormSelectOption,
  Switch,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { k8sVersionLabel, k8sVersions } from '../../../../shared/kernel/version';
import { useKernelStore } from '../store';

const KERNELS = ['', '4.4', '4.15', '5.4', '5.10', '5.15', '6.1', '6.6', '6.12'];

const PSA_VERSIONS = ['', 'latest', ...k8sVersions.map((v) => `v${v}`)];

export function TargetSelectors() {
  const { target, hostKernel, setTarget } = useKernelStore();
  return (
    <Toolbar className="hd-kernel-target" data-testid="kernel-target" inset={{ default: 'insetNone' }}>
      <ToolbarContent>
        <ToolbarItem className="hd-kernel-target-label">Verdicts for</ToolbarItem>
        <ToolbarItem>
          <FormSelect aria-label="Kubernetes version" data-testid="kernel-k8s-select" value={target.k8s} onChange={(_e, v) => setTarget({ k8s: v })}>
            {k8sVersions.map((v) => (
              <FormSelectOption key={v} value={v} label={k8sVersionLabel(v)} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <FormSelect aria-label="Node kernel" data-testid="kernel-kernel-select" value={target.kernel} onChange={(_e, v) => setTarget({ kernel: v })}>
            {KERNELS.map((v) => (
              <FormSelectOption key={v} value={v} label={v ? `Node kernel ${v}` : `This host's kernel${hostKernel ? ` (${hostKernel})` : ''}`} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <FormSelect
            aria-label="PodSecurity policy version"
            data-testid="kernel-psa-select"
            value={target.podSecurityVersion}
            onChange={(_e, v) => setTarget({ podSecurityVersion: v })}
          >
            {PSA_VERSIONS.map((v) => (
              <FormSelectOption key={v} value={v} label={v ? `PodSecurity ${v}` : 'PodSecurity: same as Kubernetes'} />
            ))}
          </FormSelect>
        </ToolbarItem>
        <ToolbarItem>
          <Switch id="kernel-hostnetwork" data-testid="kernel-hostnetwork" label="hostNetwork pod" isChecked={target.hostNetwork} onChange={(_e, v) => setTarget({ hostNetwork: v })} />
        </ToolbarItem>
        <ToolbarItem>
          <Switch id="kernel-hostipc" data-testid="kernel-hostipc" label="hostIPC pod" isChecked={target.hostIPC} onChange={(_e, v) => setTarget({ hostIPC: v })} />
        </ToolbarItem>
      </ToolbarContent>
    </Toolbar>
  );
}
