import { useState } from 'react';
import {
  Button,
  Card,
  CardBody,
  CardTitle,
  Checkbox,
  Form,
  FormGroup,
  FormHelperText,
  HelperText,
  HelperTextItem,
  Label,
  List,
  ListItem,
  TextInput,
} from '@patternfly/react-core';
import { useDnsStore } from '../store';
import { FLAG_OPTIONS } from '../../../../shared/dns/glibc';

/** What each resolv.conf flag does, in plain words (glibc resolv.conf(5)). */
const FLAG_HELP: Record<string, string> = {
  rotate: 'spread queries over the nameservers instead of always asking the first',
  edns0: 'allow larger UDP answers (EDNS0)',
  'single-request': 'send A and AAAA one after the other (for firewalls that drop the second)',
  'single-request-reopen': 'use a new socket for the second query (for broken NAT)',
  'no-tld-query': 'never send a single-label name as is',
  'use-vc': 'always use TCP',
  'no-reload': 'do not re-read resolv.conf when it changes',
  'trust-ad': 'pass the DNSSEC AD bit through from the server',
  'no-aaaa': 'suppress AAAA (IPv6) answers',
};

const NUMBER_HELP = { ndots: 'dots a name needs to be tried as is first', timeout: 'seconds to wait for each server', attempts: 'rounds over all servers' } as const;

export function StructuredForm() {
  const analysis = useDnsStore((s) => s.analysis);
  const edit = useDnsStore((s) => s.edit);
  const [newNs, setNewNs] = useState('');
  const [newSearch, setNewSearch] = useState('');
  if (!analysis) return null;
  const g = analysis.glibc;
  const ns = g.nameservers.map((s) => (s.scope ? `${s.address}%${s.scope}` : s.address));
  const commentAt = g.search.findIndex((d) => d.startsWith('#') || d.startsWith(';'));
  const addSearch = () => {
    const more = newSearch.split(/\s+/).filter(Boolean);
    if (!more.length) return;
    edit({ kind: 'setSearch', domains: [...g.search, ...more] });
    setNewSearch('');
  };
  const add = () => {
    if (!newNs.trim()) return;
    edit({ kind: 'setNameservers', nameservers: [...ns, newNs.trim()] });
    setNewNs('');
  };
  return (
    <Card data-testid="dns-form" isCompact>
      <CardTitle component="h2">Settings as glibc reads them</CardTitle>
      <CardBody>
        <Form onSubmit={(e) => e.preventDefault()} className="hd-dns-form">
          <FormGroup label="Nameservers" fieldId="dns-new-ns-input" role="group">
            <List isPlain className="hd-dns-ns-list">
              {ns.map((a, i) => (
                <ListItem key={`${a}-${i}`}>
                  <span className="hd-dns-ns">
                    <code>{a}</code>
                    {i >= 3 && (
                      <Label isCompact color="orange">
                        never used
                      </Label>
                    )}
                    <Button variant="link" isInline onClick={() => edit({ kind: 'setNameservers', nameservers: ns.filter((_, k) => k !== i) })} aria-label={`Remove ${a}`}>
                      remove
                    </Button>
                  </span>
                </ListItem>
              ))}
              {g.defaultNameserver && (
                <ListItem>
                  <Label isCompact color="red">
                    none: 127.0.0.1 is used
                  </Label>
                </ListItem>
              )}
            </List>
            <div className="hd-dns-inline">
              <TextInput
                id="dns-new-ns-input"
                aria-label="New nameserver"
                value={newNs}
                onChange={(_, v) => setNewNs(v)}
                onKeyDown={(e) => e.key === 'Enter' && add()}
                placeholder="Add a nameserver, e.g. 192.0.2.53"
                data-testid="dns-new-ns"
              />
              <Button variant="secondary" isDisabled={!newNs.trim()} onClick={add} data-testid="dns-add-ns">
                Add
              </Button>
            </div>
          </FormGroup>
          <FormGroup label="Search domains" fieldId="dns-new-search-input" role="group">
            {/* Each domain as glibc splits the line: an inline comment shows up as the extra domains it really is. */}
            <List isPlain className="hd-dns-ns-list" data-testid="dns-search" aria-label="Search domains as glibc reads them">
              {g.search.map((d, i) => (
                <ListItem key={`${d}-${i}`} data-testid={`dns-search-domain-${i}`}>
                  <span className="hd-dns-ns">
                    <code>{d}</code>
                    {commentAt >= 0 && i >= commentAt && (
                      <Label isCompact color="red">
                        comment word, searched as a domain
                      </Label>
                    )}
                    <Button variant="link" isInline onClick={() => edit({ kind: 'setSearch', domains: g.search.filter((_, k) => k !== i) })} aria-label={`Remove search domain ${d}`}>
                      remove
                    </Button>
                  </span>
                </ListItem>
              ))}
              {g.search.length === 0 && <ListItem className="hd-dns-subtle">none</ListItem>}
            </List>
            <div className="hd-dns-inline">
              <TextInput
                id="dns-new-search-input"
                aria-label="New search domain"
                value={newSearch}
                onChange={(_, v) => setNewSearch(v)}
                onKeyDown={(e) => e.key === 'Enter' && addSearch()}
                placeholder="Add a search domain, e.g. corp.example"
                data-testid="dns-new-search"
              />
              <Button variant="secondary" isDisabled={!newSearch.trim()} onClick={addSearch} data-testid="dns-add-search">
                Add
              </Button>
            </div>
            <FormHelperText>
              <HelperText>
                <HelperTextItem>Tried in order for names with fewer than ndots dots.</HelperTextItem>
              </HelperText>
            </FormHelperText>
          </FormGroup>
          <FormGroup label="Options" role="group" fieldId="dns-opt-ndots-input">
            <div className="hd-dns-numbers">
              {(['ndots', 'timeout', 'attempts'] as const).map((k) => (
                <div key={k} className="hd-dns-number">
                  <label htmlFor={`dns-opt-${k}-input`}>{k}</label>
                  <TextInput
                    id={`dns-opt-${k}-input`}
                    aria-label={k}
                    type="number"
                    data-testid={`dns-opt-${k}`}
                    value={String(g[k])}
                    onChange={(_, v) => v !== '' && Number.isInteger(Number(v)) && edit({ kind: 'setOption', name: k, value: Number(v) })}
                  />
                  <span className="hd-dns-subtle">{NUMBER_HELP[k]}</span>
                </div>
              ))}
            </div>
            <div className="hd-dns-flags">
              {FLAG_OPTIONS.map((f) => (
                <Checkbox
                  key={f}
                  id={`dns-flag-${f}`}
                  label={<code>{f}</code>}
                  description={FLAG_HELP[f]}
                  isChecked={g.flags[f]}
                  onChange={(_, c) => edit({ kind: 'setOption', name: f, value: c })}
                />
              ))}
            </div>
          </FormGroup>
        </Form>
      </CardBody>
    </Card>
  );
}
