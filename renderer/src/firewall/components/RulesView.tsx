import { useEffect, useState } from 'react';
import { Button, Label, Modal, ModalBody, ModalFooter, ModalHeader, Switch } from '@patternfly/react-core';
import type { ChainView, RulesReport, RuleView } from '../../../../shared/firewall/rules/contract';
import { useCapabilities } from '../../app/capabilities';
import { useHostApi } from '../../app/host-store';
import { describeError } from '../store';
import { useOfflineView } from '../offline-view';

/**
 * "Rules": the nftables rules firewalld made for one zone or policy (firewall.rules), each with
 * the element that produced it in people's words, its counters, and the rules no firewalld
 * element explains (by hand, Docker, libvirt) highlighted: they are often the answer to "why".
 */
export function RulesButton({ kind, name }: { kind: 'zone' | 'policy'; name: string }) {
  const caps = useCapabilities();
  const [open, setOpen] = useState(false);
  // Offline there is no running ruleset: "Preview the rules" asks a throwaway firewalld for the one the files would make.
  const preview = useOfflineView();
  const unavailable = !preview && caps?.nftRuleset === 'none' ? (caps.missing.nftRuleset ?? 'This host has no nftables ruleset.') : undefined;
  return (
    <>
      <Button variant="link" data-testid={`fw-rules-${kind}`} data-preview={preview ? 'true' : undefined} isAriaDisabled={!!unavailable} title={unavailable ?? (preview ? `The nftables rules the configuration files would make for ${kind} ${name}` : `The nftables rules behind ${kind} ${name}`)} onClick={() => setOpen(true)}>
        {preview ? 'Preview the rules' : 'Rules'}
      </Button>
      {open && <RulesView kind={kind} name={name} preview={preview} onClose={() => setOpen(false)} />}
    </>
  );
}

export function RulesView({ kind, name, preview = false, onClose }: { kind: 'zone' | 'policy'; name: string; preview?: boolean; onClose: () => void }) {
  const api = useHostApi();
  const [report, setReport] = useState<RulesReport>();
  const [error, setError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const [showEmpty, setShowEmpty] = useState(false);
  const load = async () => {
    setLoading(true);
    setError(undefined);
    try {
      const which = kind === 'zone' ? { zone: name } : { policy: name };
      setReport(await (preview ? api.firewall.preview(which) : api.firewall.rules(which)));
    } catch (e) {
      const { code, message } = describeError(e);
      setError(`${message} [${code}]`);
    } finally {
      setLoading(false);
    }
  };
  // Read once when opened; Refresh reads again (handles change on every reload, counters move).
  useEffect(() => {
    void load();
  }, []);
  const chains = report?.chains.filter((c) => showEmpty || c.rules.length) ?? [];
  const foreignHere = report?.chains.reduce((n, c) => n + c.rules.filter((r) => r.foreign).length, 0) ?? 0;
  return (
    <Modal isOpen onClose={onClose} variant="large" aria-labelledby="fw-rules-title">
      <ModalHeader title={preview ? `Preview: the nftables rules the configuration makes for ${kind} ${name}` : `nftables rules behind ${kind} ${name}`} labelId="fw-rules-title" />
      <ModalBody>
        <div className="hd-fw-rules" data-testid="fw-rules-view" data-loading={loading ? 'true' : 'false'}>
          {error && <p className="hd-fw-error" data-testid="fw-rules-error">{error}</p>}
          {loading && !report && <p className="hd-fw-none">Reading the ruleset…</p>}
          {report && (
            <>
              <p data-testid="fw-rules-summary">
                {chains.length} chain{chains.length === 1 ? '' : 's'} of firewalld ({report.layout} layout, nft {report.nftVersion ?? '?'}).{' '}
                {foreignHere ? <Label color="red">{foreignHere} rule{foreignHere === 1 ? '' : 's'} here not made by firewalld</Label> : 'Every rule here comes from firewalld\'s configuration.'}
              </p>
              {report.notes.map((n) => <p key={n} className="hd-fw-none">{n}</p>)}
              <Switch id="fw-rules-empty" label="Show empty chains" isChecked={showEmpty} onChange={(_e, v) => setShowEmpty(v)} />
              {chains.map((c) => <Chain key={`${c.family} ${c.table} ${c.name}`} chain={c} />)}
              <h3 className="hd-fw-section-title">Rules not made by firewalld (other tables)</h3>
              {report.foreignTables.length === 0 ? <p className="hd-fw-none" data-testid="fw-rules-no-foreign">None: firewalld's tables are the only ones.</p> : (
                <div data-testid="fw-rules-foreign">
                  {report.foreignTables.map((t) => (
                    <div key={`${t.family} ${t.name}`}>
                      <h4>table {t.family} {t.name}</h4>
                      {t.chains.map((c) => <Chain key={c.name} chain={c} />)}
                    </div>
                  ))}
                </div>
              )}
            </>
          )}
        </div>
      </ModalBody>
      <ModalFooter>
        <Button variant="secondary" data-testid="fw-rules-refresh" isDisabled={loading} onClick={() => void load()}>Refresh</Button>
        <Button variant="link" onClick={onClose}>Close</Button>
      </ModalFooter>
    </Modal>
  );
}

function Chain({ chain }: { chain: ChainView }) {
  return (
    <section className="hd-fw-rules-chain" data-testid="fw-rules-chain" data-chain={chain.name}>
      <h4>
        <code>{chain.name}</code> <span className="hd-fw-none">{chain.words}{chain.hook ? ` (hook ${chain.hook}, priority ${chain.priority ?? '?'})` : ''}</span>
      </h4>
      {chain.rules.length === 0 ? <p className="hd-fw-none">(no rules)</p> : (
        <table className="hd-fw-rules-table">
          <thead><tr><th>nft rule</th><th>made by</th><th>packets / bytes</th></tr></thead>
          <tbody>{chain.rules.map((r, i) => <Rule key={`${r.handle ?? ''}-${i}`} rule={r} />)}</tbody>
        </table>
      )}
    </section>
  );
}

function Rule({ rule }: { rule: RuleView }) {
  return (
    <tr className={rule.foreign ? 'hd-fw-rule-foreign' : undefined} data-testid="fw-rules-rule" data-foreign={rule.foreign ? 'true' : 'false'}>
      <td><code>{rule.text}</code></td>
      <td>
        {rule.foreign ? (
          <><Label color="red">not made by firewalld</Label> <span className="hd-fw-none">{rule.note}</span></>
        ) : (
          rule.madeBy.map((m, i) => (
            <div key={i} data-kind={m.kind}>
              {m.words} <span className="hd-fw-none">[{m.firewalld}]</span>
            </div>
          ))
        )}
      </td>
      <td>{rule.counter ? `${rule.counter.packets} / ${rule.counter.bytes}` : '—'}</td>
    </tr>
  );
}
