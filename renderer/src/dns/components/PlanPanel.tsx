import { useState } from 'react';
import {
  Alert,
  Button,
  Card,
  CardBody,
  CardTitle,
  Form,
  FormGroup,
  FormHelperText,
  FormSelect,
  FormSelectOption,
  HelperText,
  HelperTextItem,
  Skeleton,
  Switch,
  TextInput,
  Title,
  ToggleGroup,
  ToggleGroupItem,
} from '@patternfly/react-core';
import { useDnsStore } from '../store';
import { PlanSteps } from './PlanSteps';
import { Snippet, severityVariant } from './common';

type Policy = 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None';
const POLICY_HELP: Record<Policy, string> = {
  ClusterFirst: 'cluster DNS first, with the namespace search list (the default)',
  ClusterFirstWithHostNet: 'like ClusterFirst, for hostNetwork pods',
  Default: "the node's resolv.conf (the file on the left), as the kubelet passes it",
  None: 'only what dnsConfig says',
};

const words = (v: string) => v.split(/[\s,]+/).filter(Boolean);

export function PlanPanel() {
  const { plan, runPlan, libc, setLibc, pod, runPod } = useDnsStore();
  const [name, setName] = useState('api.example.com');
  const [mode, setMode] = useState<'host' | 'pod'>('host');
  const [podForm, setPodForm] = useState({
    policy: 'ClusterFirst' as Policy,
    namespace: 'default',
    clusterDomain: 'cluster.local',
    clusterDns: '10.96.0.10',
    hostNetwork: false,
    nameservers: '',
    searches: '',
    options: '',
  });
  const run = () => {
    if (!name.trim()) return;
    if (mode === 'host') void runPlan(name.trim());
    else {
      const options = words(podForm.options).map((o) => {
        const i = o.indexOf(':');
        return i < 0 ? { name: o } : { name: o.slice(0, i), value: o.slice(i + 1) };
      });
      const dnsConfig =
        podForm.nameservers || podForm.searches || podForm.options
          ? { nameservers: words(podForm.nameservers), searches: words(podForm.searches), options }
          : undefined;
      void runPod({ policy: podForm.policy, namespace: podForm.namespace, clusterDomain: podForm.clusterDomain, clusterDns: podForm.clusterDns, hostNetwork: podForm.hostNetwork, dnsConfig, name: name.trim() });
    }
  };
  const set = (p: Partial<typeof podForm>) => setPodForm({ ...podForm, ...p });
  const result = mode === 'host' ? plan : pod;
  return (
    <Card data-testid="dns-plan" isCompact>
      <CardTitle component="h2">Query plan: what the resolver sends for a name</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => { e.preventDefault(); run(); }}>
          <div className="hd-dns-plan-form">
            <FormGroup label="Name to look up" fieldId="dns-plan-name-input" className="hd-dns-grow">
              <TextInput id="dns-plan-name-input" value={name} onChange={(_, v) => setName(v)} data-testid="dns-plan-name" placeholder="api.example.com" />
            </FormGroup>
            <FormGroup label="C library" fieldId="dns-plan-libc">
              <FormSelect id="dns-plan-libc" aria-label="C library" value={libc} onChange={(_, v) => setLibc(v as 'glibc' | 'musl')}>
                <FormSelectOption value="glibc" label="glibc (Debian, Ubuntu, RHEL)" />
                <FormSelectOption value="musl" label="musl (Alpine)" />
              </FormSelect>
            </FormGroup>
            <FormGroup label="Where" fieldId="dns-plan-where" role="group">
              <ToggleGroup aria-label="Where the lookup runs" id="dns-plan-where">
                <ToggleGroupItem text="On this host" buttonId="dns-mode-host" isSelected={mode === 'host'} onChange={() => setMode('host')} />
                <ToggleGroupItem text="In a Kubernetes pod" buttonId="dns-mode-pod" isSelected={mode === 'pod'} onChange={() => setMode('pod')} data-testid="dns-mode-pod" />
              </ToggleGroup>
            </FormGroup>
          </div>
          {mode === 'pod' && (
            <div className="hd-dns-pod-form" data-testid="dns-pod-form">
              <FormGroup label="dnsPolicy" fieldId="dns-pod-policy">
                <FormSelect id="dns-pod-policy" value={podForm.policy} onChange={(_, v) => set({ policy: v as Policy })}>
                  {(Object.keys(POLICY_HELP) as Policy[]).map((p) => (
                    <FormSelectOption key={p} value={p} label={p} />
                  ))}
                </FormSelect>
                <FormHelperText>
                  <HelperText>
                    <HelperTextItem>{POLICY_HELP[podForm.policy]}</HelperTextItem>
                  </HelperText>
                </FormHelperText>
              </FormGroup>
              <FormGroup label="Namespace" fieldId="dns-pod-ns">
                <TextInput id="dns-pod-ns" value={podForm.namespace} onChange={(_, v) => set({ namespace: v })} />
              </FormGroup>
              <FormGroup label="Cluster domain" fieldId="dns-pod-domain">
                <TextInput id="dns-pod-domain" value={podForm.clusterDomain} onChange={(_, v) => set({ clusterDomain: v })} />
              </FormGroup>
              <FormGroup label="Cluster DNS IP" fieldId="dns-pod-dns">
                <TextInput id="dns-pod-dns" value={podForm.clusterDns} onChange={(_, v) => set({ clusterDns: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig nameservers" fieldId="dns-pod-cfg-ns">
                <TextInput id="dns-pod-cfg-ns" value={podForm.nameservers} placeholder="optional" onChange={(_, v) => set({ nameservers: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig searches" fieldId="dns-pod-cfg-search">
                <TextInput id="dns-pod-cfg-search" value={podForm.searches} placeholder="optional" onChange={(_, v) => set({ searches: v })} />
              </FormGroup>
              <FormGroup label="dnsConfig options" fieldId="dns-pod-cfg-opts">
                <TextInput id="dns-pod-cfg-opts" value={podForm.options} placeholder="e.g. ndots:2 single-request-reopen" onChange={(_, v) => set({ options: v })} data-testid="dns-pod-options" />
              </FormGroup>
              <FormGroup fieldId="dns-pod-hostnet" label="Host network">
                <Switch id="dns-pod-hostnet" label="hostNetwork: true" isChecked={podForm.hostNetwork} onChange={(_, v) => set({ hostNetwork: v })} />
              </FormGroup>
            </div>
          )}
          <div className="hd-dns-actions">
            {mode === 'host' ? (
              <Button type="submit" data-testid="dns-plan-run" isDisabled={!name.trim()}>
                Show the queries on this host
              </Button>
            ) : (
              <Button type="submit" data-testid="dns-pod-run" isDisabled={!name.trim()}>
                Build the pod&apos;s resolv.conf and queries
              </Button>
            )}
          </div>
        </Form>
        <div className="hd-dns-gap-top">
          {result.state === 'loading' && <Skeleton height="120px" screenreaderText="Planning the lookup" />}
          {result.state === 'error' && <Alert component="h3" isInline variant="danger" title={`Cannot plan this lookup (${result.code})`}>{result.message}</Alert>}
          {mode === 'host' && plan.state === 'ready' && <PlanSteps plan={plan.value} testId="dns-plan-result" />}
          {mode === 'pod' && pod.state === 'ready' && (
            <div data-testid="dns-pod-result" className="hd-dns-stack">
              {[...pod.value.validation.map((m) => ({ reason: 'Invalid', message: m })), ...pod.value.events].map((e, i) => (
                <Alert component="h3" key={i} isInline variant="warning" title={`${e.reason}: ${e.message}`} />
              ))}
              {pod.value.optionsOrderUnstable && <Alert component="h3" isInline isPlain variant="info" title="The order of options in this pod's resolv.conf can differ between kubelet versions." />}
              <div className="hd-dns-pod-grid">
                <div>
                  <Title headingLevel="h3" size="md">The pod&apos;s /etc/resolv.conf</Title>
                  <Snippet text={pod.value.resolvConf} testId="dns-pod-resolv" label="Copy the pod's resolv.conf" />
                  {pod.value.warnings.map((w, i) => (
                    <Alert component="h3" key={i} isInline isPlain variant={severityVariant[w.severity]} title={w.line ? `Line ${w.line}: ${w.message}` : w.message} />
                  ))}
                </div>
                <div>
                  <Title headingLevel="h3" size="md">Pod spec snippet</Title>
                  <Snippet text={pod.value.yaml} testId="dns-pod-yaml" label="Copy the pod spec snippet" />
                </div>
              </div>
              {pod.value.plans.map((p, i) => (
                <PlanSteps key={i} plan={p} testId={`dns-pod-plan-${i}`} />
              ))}
            </div>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
