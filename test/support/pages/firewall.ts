import type { Locator, Page } from 'playwright-core';
import { SafeApplyBar } from './safe-apply';

/** Lists of a zone (or policy) as the editor names them in its test ids. */
export type FirewallList = 'services' | 'ports' | 'richRules' | 'protocols' | 'sourcePorts' | 'icmpBlocks' | 'interfaces' | 'sources' | 'forwardPorts' | 'policy-forwardPorts';
/** A column of the zone editor, or the pending ("adding") rows of a list. */
export type FirewallColumn = 'runtime' | 'permanent' | 'adding';

/** The zone editor's fields and their test ids. */
const zoneFieldIds = {
  target: 'fw-zone-target',
  service: 'fw-add-service-input',
  port: 'fw-add-port-input',
  protocol: 'fw-add-protocol-input',
  'source port': 'fw-add-source-port-input',
  'ICMP block': 'fw-add-icmp-block-input',
  'forward port': 'fw-add-forward-port-port',
  interface: 'fw-add-interface-input',
  source: 'fw-add-source-input',
} as const;
export type ZoneField = keyof typeof zoneFieldIds;

/**
 * The Firewall page: zones (with their runtime and permanent columns), services, ipsets,
 * policies, ICMP types, helpers, the global settings (default zone, panic mode), reload and
 * runtime-to-permanent, and the confirmation dialog they share. The apply bar and the
 * safe-apply banner are `applyBar`.
 */
export class FirewallPage {
  readonly applyBar: SafeApplyBar;

  constructor(readonly page: Page) {
    this.applyBar = new SafeApplyBar(page);
  }

  // What the suites use and assert on, one locator each, named for what the user sees.
  get addPortButton(): Locator { return this.page.getByTestId('fw-add-port'); }
  get addRichRuleButton(): Locator { return this.page.getByTestId('fw-add-rich-rule'); }
  get addServicePort(): Locator { return this.page.getByTestId('fw-add-service-port'); }
  get addServicePortInput(): Locator { return this.page.getByTestId('fw-add-service-port-input'); }
  get addServiceProtocol(): Locator { return this.page.getByTestId('fw-add-service-protocol'); }
  get addServiceProtocolInput(): Locator { return this.page.getByTestId('fw-add-service-protocol-input'); }
  get checkAgain(): Locator { return this.page.getByTestId('fw-check-again'); }
  get columnHeads(): Locator { return this.page.getByTestId('fw-zone-colheads'); }
  get confirmCancel(): Locator { return this.page.getByTestId('fw-confirm-cancel'); }
  get confirmDialog(): Locator { return this.page.getByTestId('fw-confirm'); }
  get confirmOk(): Locator { return this.page.getByTestId('fw-confirm-ok'); }
  get confirmTyped(): Locator { return this.page.getByTestId('fw-confirm-typed'); }
  get defaultZone(): Locator { return this.page.getByTestId('fw-default-zone'); }
  get defaultZoneForce(): Locator { return this.page.getByTestId('fw-default-zone-force'); }
  get defaultZoneRisk(): Locator { return this.page.getByTestId('fw-default-zone-risk'); }
  get defaultZoneSeconds(): Locator { return this.page.getByTestId('fw-default-zone-seconds'); }
  get deleteIpset(): Locator { return this.page.getByTestId('fw-delete-ipset'); }
  get deleteZoneButton(): Locator { return this.page.getByTestId('fw-delete-zone'); }
  get difference(): Locator { return this.page.getByTestId('fw-difference'); }
  get differences(): Locator { return this.page.getByTestId('fw-differences'); }
  get helperModule(): Locator { return this.page.getByTestId('fw-helper-module'); }
  get helperPorts(): Locator { return this.page.getByTestId('fw-helper-ports'); }
  get icmptypeDestinations(): Locator { return this.page.getByTestId('fw-icmptype-destinations'); }
  get icmptypesFilter(): Locator { return this.page.getByTestId('fw-icmptypes-filter'); }
  get ipsetAdd(): Locator { return this.page.getByTestId('fw-ipset-add'); }
  get ipsetCount(): Locator { return this.page.getByTestId('fw-ipset-count'); }
  get ipsetDiff(): Locator { return this.page.getByTestId('fw-ipset-diff'); }
  get ipsetEditor(): Locator { return this.page.getByTestId('fw-ipset-editor'); }
  get ipsetEntry(): Locator { return this.page.getByTestId('fw-ipset-entry'); }
  get ipsetFile(): Locator { return this.page.getByTestId('fw-ipset-file'); }
  get ipsetParse(): Locator { return this.page.getByTestId('fw-ipset-parse'); }
  get ipsetReport(): Locator { return this.page.getByTestId('fw-ipset-report'); }
  get ipsetUsers(): Locator { return this.page.getByTestId('fw-ipset-users'); }
  get newIpset(): Locator { return this.page.getByTestId('fw-new-ipset'); }
  get newIpsetName(): Locator { return this.page.getByTestId('fw-new-ipset-name'); }
  get newIpsetType(): Locator { return this.page.getByTestId('fw-new-ipset-type'); }
  get newService(): Locator { return this.page.getByTestId('fw-new-service'); }
  get newServiceName(): Locator { return this.page.getByTestId('fw-new-service-name'); }
  get newZoneName(): Locator { return this.page.getByTestId('fw-new-zone-name'); }
  get noBus(): Locator { return this.page.getByTestId('fw-no-bus'); }
  get noBusReason(): Locator { return this.page.getByTestId('fw-no-bus-reason'); }
  get noBusSocket(): Locator { return this.page.getByTestId('fw-no-bus-socket'); }
  get notRunning(): Locator { return this.page.getByTestId('fw-not-running'); }
  get noticeSuccess(): Locator { return this.page.getByTestId('fw-notice-success'); }
  get panicAlert(): Locator { return this.page.getByTestId('fw-panic-alert'); }
  get panicOff(): Locator { return this.page.getByTestId('fw-panic-off'); }
  get panicOn(): Locator { return this.page.getByTestId('fw-panic-on'); }
  get policyAllowHostIpv6(): Locator { return this.page.getByTestId('fw-policy-allow-host-ipv6'); }
  get policyForwardPort(): Locator { return this.page.getByTestId('fw-policy-forward-port'); }
  get policyForwardPortPort(): Locator { return this.page.getByTestId('fw-policy-forward-port-port'); }
  get policyForwardPortToport(): Locator { return this.page.getByTestId('fw-policy-forward-port-toport'); }
  get portError(): Locator { return this.page.getByTestId('fw-add-port-error'); }
  get portInput(): Locator { return this.page.getByTestId('fw-add-port-input'); }
  get portProtocol(): Locator { return this.page.getByTestId('fw-add-port-protocol'); }
  get r2pAdded(): Locator { return this.page.getByTestId('fw-r2p-added'); }
  get r2pEffects(): Locator { return this.page.getByTestId('fw-r2p-effects'); }
  get r2pForeign(): Locator { return this.page.getByTestId('fw-r2p-foreign'); }
  get r2pRemoved(): Locator { return this.page.getByTestId('fw-r2p-removed'); }
  get r2pRow(): Locator { return this.page.getByTestId('fw-r2p-row'); }
  get reload(): Locator { return this.page.getByTestId('fw-reload'); }
  get reloadEffects(): Locator { return this.page.getByTestId('fw-reload-effects'); }
  get reloadGained(): Locator { return this.page.getByTestId('fw-reload-gained'); }
  get reloadLost(): Locator { return this.page.getByTestId('fw-reload-lost'); }
  get renameZoneButton(): Locator { return this.page.getByTestId('fw-rename-zone'); }
  get renameZoneInput(): Locator { return this.page.getByTestId('fw-rename-zone-input'); }
  get renameZoneSave(): Locator { return this.page.getByTestId('fw-rename-zone-save'); }
  get richRuleEditor(): Locator { return this.page.getByTestId('fw-rich-rule-editor'); }
  get richRuleElement(): Locator { return this.page.getByTestId('fw-rich-rule-element'); }
  get richRuleInput(): Locator { return this.page.getByTestId('fw-rich-rule-input'); }
  get richRulePlain(): Locator { return this.page.getByTestId('fw-rich-rule-plain'); }
  get richRulePriority(): Locator { return this.page.getByTestId('fw-rich-rule-priority'); }
  get richRulePriorityError(): Locator { return this.page.getByTestId('fw-rich-rule-priority-error'); }
  get richRuleProblems(): Locator { return this.page.getByTestId('fw-rich-rule-problems'); }
  get richRuleSubmit(): Locator { return this.page.getByTestId('fw-rich-rule-submit'); }
  get runtimeToPermanent(): Locator { return this.page.getByTestId('fw-runtime-to-permanent'); }
  get serviceEditor(): Locator { return this.page.getByTestId('fw-service-editor'); }
  get serviceSave(): Locator { return this.page.getByTestId('fw-service-save'); }
  get start(): Locator { return this.page.getByTestId('fw-start'); }
  /** The offline notice: the page shows configuration files, not a running firewalld. */
  get offlineNotice(): Locator { return this.page.getByTestId('fw-offline'); }
  get offlineVersion(): Locator { return this.page.getByTestId('fw-offline-version'); }
  /** Why the files shown on a running host take no changes. */
  get offlineSaves(): Locator { return this.page.getByTestId('fw-offline-saves'); }
  /** "Offline configuration (the files)" on a host whose firewalld runs. */
  get offlineSwitch(): Locator { return this.page.locator('#fw-offline-switch'); }
  /** Turns the switch on or off as a user does (a click on its label). */
  async setOffline(on: boolean): Promise<void> {
    if ((await this.offlineSwitch.isChecked()) !== on) await this.page.locator('label:has(#fw-offline-switch)').click();
  }
  get deniedPanel(): Locator { return this.page.getByTestId('fw-denied-panel'); }
  get differencesTab(): Locator { return this.page.getByTestId('fw-tab-differences'); }
  get zoneColumnHeads(): Locator { return this.page.getByTestId('fw-zone-colheads'); }
  get summary(): Locator { return this.page.getByTestId('fw-summary'); }
  get timeout(): Locator { return this.page.getByTestId('fw-timeout'); }
  get zoneInUse(): Locator { return this.page.getByTestId('fw-zone-in-use'); }
  get zoneTarget(): Locator { return this.page.getByTestId('fw-zone-target'); }

  /** The rows of "added to permanent" in the runtime-to-permanent dialog. */
  get r2pAddedRows(): Locator {
    return this.r2pAdded.getByTestId('fw-r2p-row');
  }

  /** Every add control of the page (the add fields and their buttons: services, ports, rich rules …). */
  get addControls(): Locator {
    return this.page.locator('[data-testid^="fw-add-"]');
  }

  /** A zone in the zone list. */
  zone(name: string): Locator {
    return this.page.getByTestId(`fw-zone-${name}`);
  }

  /** A zone's "changes pending" mark in the zone list. */
  zonePending(name: string): Locator {
    return this.page.getByTestId(`fw-zone-${name}-pending`);
  }

  /** Selects a zone in the zone list (its editor opens). */
  async selectZone(name: string): Promise<void> {
    await this.zone(name).click();
  }

  /** The editor of zone `name`. */
  zoneEditor(name: string): Locator {
    return this.page.locator(`[data-testid="fw-zone-editor"][data-zone="${name}"]`);
  }

  /** Opens the Rules view (the nftables rules behind it) of the zone or policy shown, and waits for it to be read. */
  async openRules(kind: 'zone' | 'policy'): Promise<Locator> {
    await this.page.getByTestId(`fw-rules-${kind}`).click();
    const view = this.page.getByTestId('fw-rules-view');
    await view.locator('[data-testid="fw-rules-summary"], [data-testid="fw-rules-error"]').first().waitFor({ timeout: 30_000 });
    return view;
  }

  /** The open Rules view's parts: its summary line, the foreign tables, and the chains shown (their names). */
  get rulesSummary(): Locator { return this.page.getByTestId('fw-rules-view').getByTestId('fw-rules-summary'); }
  get rulesForeign(): Locator { return this.page.getByTestId('fw-rules-view').getByTestId('fw-rules-foreign'); }
  rulesChains(): Promise<(string | null)[]> {
    return this.page.getByTestId('fw-rules-view').getByTestId('fw-rules-chain').evaluateAll((els) => els.map((e) => e.getAttribute('data-chain')));
  }

  /** A row of the Rules view by its nft text. */
  rulesRow(text: string): Locator {
    return this.page.getByTestId('fw-rules-rule').filter({ has: this.page.locator('code', { hasText: text }) });
  }

  /** The header of zone `name`'s editor (its Rename and Delete). */
  zoneHeader(name: string): Locator {
    return this.zoneEditor(name).locator('.hd-fw-editor-head');
  }

  /** The Delete control in zone `name`'s header. */
  deleteZoneIn(name: string): Locator {
    return this.zoneHeader(name).getByTestId('fw-delete-zone');
  }

  /** Renames zone `name` from its header (Rename, new name, Save). */
  async renameZone(name: string, to: string): Promise<void> {
    const head = this.zoneHeader(name);
    await head.getByTestId('fw-rename-zone').click();
    await head.getByTestId('fw-rename-zone-input').fill(to);
    await head.getByTestId('fw-rename-zone-save').click();
  }

  /** The entries of the zone list, in their order, by zone name. */
  async zoneNames(): Promise<string[]> {
    const ids = await this.page.locator('.hd-fw-list-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid') ?? ''));
    return ids.map((id) => id.replace(/^fw-zone-/, ''));
  }

  /** Zone `name` in the zone list has the keyboard focus. */
  zoneHasFocus(name: string): Promise<boolean> {
    return this.zone(name).evaluate((e) => e === document.activeElement);
  }

  /** A section of the zone editor (services, ports, sources …). */
  section(name: string): Locator {
    return this.page.getByTestId(`fw-section-${name}`);
  }

  /** A whole column of a list (e.g. the permanent rich rules). */
  column(list: FirewallList, column: 'runtime' | 'permanent'): Locator {
    return this.page.getByTestId(`fw-${list}-${column}`);
  }

  /** Entries of a list in one column; with `value`, the one entry that is `value`. */
  item(list: FirewallList, column: FirewallColumn, value?: string): Locator {
    const base = `[data-testid="fw-item-${list}-${column}"]`;
    return this.page.locator(value === undefined ? base : `${base}[data-item=${JSON.stringify(value)}]`);
  }

  /** The Remove (or Keep, once removing) control of entry `value` in one column. */
  removeButton(list: FirewallList, column: 'runtime' | 'permanent', value: string): Locator {
    return this.item(list, column, value).locator('button');
  }

  /** The expiry shown on an entry added with a runtime timeout. */
  itemExpiry(list: FirewallList, column: FirewallColumn, value: string): Locator {
    return this.item(list, column, value).getByTestId('fw-item-expiry');
  }

  /** The Edit control of entry `value` of a list. */
  editItem(list: FirewallList, value: string): Locator {
    return this.page.locator(`[data-testid="fw-edit-${list}"][data-item=${JSON.stringify(value)}]`);
  }

  /** A field of the zone editor, by what a user calls it. */
  zoneField(name: ZoneField): Locator {
    return this.page.getByTestId(zoneFieldIds[name]);
  }

  /** Stages a port in the open zone (protocol as the form offers it: tcp by default). */
  async addPort(port: string, protocol?: 'tcp' | 'udp' | 'sctp' | 'dccp'): Promise<void> {
    await this.portInput.fill(port);
    if (protocol) await this.portProtocol.selectOption(protocol);
    await this.addPortButton.click();
  }

  /** Opens the rich-rule editor of the open zone. */
  async openRichRuleEditor(): Promise<void> {
    await this.addRichRuleButton.click();
  }

  /** Stages a rich rule typed as text. */
  async addRichRule(rule: string): Promise<void> {
    await this.openRichRuleEditor();
    await this.richRuleInput.fill(rule);
    await this.richRuleSubmit.click();
  }

  /** Cancels the rich-rule editor. */
  async cancelRichRule(): Promise<void> {
    await this.richRuleEditor.getByRole('button', { name: 'Cancel' }).click();
  }

  /** Creates a zone by name (Enter in the name field). */
  async createZone(name: string): Promise<void> {
    await this.newZoneName.fill(name);
    await this.newZoneName.press('Enter');
  }

  /** A service in the services tab. */
  service(name: string): Locator {
    return this.page.getByTestId(`fw-service-${name}`);
  }

  /** An ipset in the IP sets tab. */
  ipset(name: string): Locator {
    return this.page.getByTestId(`fw-ipset-${name}`);
  }

  /** The "runtime and permanent differ" mark of an ipset. */
  ipsetDiffers(name: string): Locator {
    return this.page.getByTestId(`fw-ipset-${name}-diff`);
  }

  /** An ICMP type in the ICMP types tab. */
  icmpType(name: string): Locator {
    return this.page.getByTestId(`fw-icmptypes-${name}`);
  }

  /** A helper in the helpers tab. */
  helper(name: string): Locator {
    return this.page.getByTestId(`fw-helpers-${name}`);
  }

  /** The count shown on a tab (zones, policies, ipsets, differences). */
  tabCount(tab: string): Locator {
    return this.page.getByTestId(`fw-tab-${tab}-count`);
  }

  /** Opens a tab of the page by its label (Zones, Services, IP sets, Policies, Global …). */
  async openTab(name: string): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
  }

  /** Offline: the apply bar's "Save to the files" (every staged zone and policy change of the host). */
  get saveToFiles(): Locator { return this.page.getByTestId('fw-apply-permanent'); }
  /** The "Save to the files" review: its phase (checking, ready, saving, failed), the files it lists, its outcome. */
  get offlineSave(): Locator { return this.page.getByTestId('fw-offline-save'); }
  get offlineSaveFiles(): Locator { return this.page.getByTestId('fw-offline-save-file'); }
  get offlineSaveOk(): Locator { return this.page.getByTestId('fw-offline-save-ok'); }
  get offlineSaveConflict(): Locator { return this.page.getByTestId('fw-offline-save-conflict'); }
  get offlineSaveRefused(): Locator { return this.page.getByTestId('fw-offline-save-refused'); }
  get offlineSaveProblems(): Locator { return this.page.getByTestId('fw-offline-save-problem'); }
  get offlineSaveReload(): Locator { return this.page.getByTestId('fw-offline-save-reload'); }
  get offlineSaveCancel(): Locator { return this.page.getByTestId('fw-offline-save-cancel'); }
  /** Offline: where an object's file comes from ("modified from the default"), and its Reset. */
  get offlineOrigin(): Locator { return this.page.getByTestId('fw-offline-origin'); }
  get offlineReset(): Locator { return this.page.getByTestId('fw-offline-reset'); }

  /** Offline: opens the review of the staged changes and waits for its check (dry run) to finish. */
  async reviewSaveToFiles(): Promise<void> {
    await this.saveToFiles.click();
    await this.offlineSave.and(this.page.locator('[data-phase="ready"], [data-phase="failed"]')).waitFor({ timeout: 30_000 });
  }

  /** Stages a service in the open zone. */
  async addService(name: string): Promise<void> {
    await this.zoneField('service').fill(name);
    await this.page.getByTestId('fw-add-service').click();
  }

  /** Confirms the open confirmation dialog. */
  async confirm(): Promise<void> {
    await this.confirmOk.click();
  }

  /** Cancels the open confirmation dialog. */
  async cancel(): Promise<void> {
    await this.confirmCancel.click();
  }
}
