import type { Locator, Page } from 'playwright-core';

/** One saved host on the Hosts page: its row, key checks, privilege and Open. */
export class HostRow {
  constructor(
    readonly page: Page,
    readonly id: string,
  ) {}

  private part(name: string): Locator {
    return this.page.getByTestId(`host-${name}-${this.id}`);
  }

  get row(): Locator { return this.part('row'); }
  /** The row once the host's connection is in `state` (connected, unreachable …). */
  rowIn(state: string): Locator {
    return this.page.locator(`[data-testid="host-row-${this.id}"][data-state="${state}"]`);
  }
  get checkButton(): Locator { return this.part('check'); }
  get openButton(): Locator { return this.part('open'); }
  get keyUnknown(): Locator { return this.part('key-unknown'); }
  get keyChanged(): Locator { return this.part('key-changed'); }
  get fingerprint(): Locator { return this.part('fingerprint'); }
  get newFingerprint(): Locator { return this.part('new-fingerprint'); }
  get acceptButton(): Locator { return this.part('accept'); }
  get replaceKeyButton(): Locator { return this.part('replace-key'); }
  get privilege(): Locator { return this.part('privilege'); }
  get privilegeFiles(): Locator { return this.part('privilege-files'); }
  get privilegeFirewall(): Locator { return this.part('privilege-firewall'); }
  /** The inventory groups shown on the row (@web). */
  get groups(): Locator { return this.part('groups'); }
  /** The inventory's become setting shown on the row. */
  get become(): Locator { return this.part('become'); }
  get sudoers(): Locator { return this.part('sudoers'); }
  get firewallPrivilege(): Locator { return this.part('firewall-privilege'); }
  get polkitRule(): Locator { return this.part('polkit-rule'); }

  /** Connects to the host again (Check). */
  async check(): Promise<void> {
    await this.checkButton.click();
  }

  /** Trusts the key the host offered on first contact. */
  async trustKey(): Promise<void> {
    await this.acceptButton.click();
  }

  /** Replaces the known key with the host's new one. */
  async replaceKey(): Promise<void> {
    await this.replaceKeyButton.click();
  }

  /** Makes this host the one the pages work on. */
  async open(): Promise<void> {
    await this.openButton.click();
  }

  /** The fingerprint the host offers (first contact). */
  fingerprintShown(): Promise<string> {
    return this.fingerprint.locator('input').inputValue();
  }

  /** The new fingerprint after the host's key changed. */
  newFingerprintShown(): Promise<string> {
    return this.newFingerprint.locator('input').inputValue();
  }

  /** The sudoers line the page offers to copy. */
  sudoersLine(): Promise<string> {
    return this.sudoers.locator('input').inputValue();
  }
}

/** The Hosts page: add a host by destination, then per host (`host(id)`) trust its key and open it. */
export class HostsPage {
  constructor(readonly page: Page) {}

  get addButton(): Locator { return this.page.getByTestId('hosts-add'); }
  get destination(): Locator { return this.page.getByTestId('hosts-destination'); }
  get empty(): Locator { return this.page.getByTestId('hosts-empty'); }

  /** A saved host's row and its controls. */
  host(id: string): HostRow {
    return new HostRow(this.page, id);
  }

  /** Adds a host by its destination (alias, user@host, host:port). */
  async add(destination: string): Promise<void> {
    await this.destination.fill(destination);
    await this.addButton.click();
  }

  get importResult(): Locator { return this.page.getByTestId('hosts-import-result'); }
  get importSkipped(): Locator { return this.page.getByTestId('hosts-import-skipped'); }

  /** "Import inventory": opens the form, fills the inventory path and the Ansible limit, imports. */
  async importInventory(file: string, limit?: string): Promise<void> {
    await this.page.getByTestId('hosts-import-toggle').getByRole('button', { name: 'Import inventory' }).click();
    await this.page.getByTestId('hosts-import-file').fill(file);
    if (limit) await this.page.getByTestId('hosts-import-limit').fill(limit);
    await this.page.getByTestId('hosts-import').click();
  }

  /** Shows only the hosts of an inventory group (the group filter above the table; its button reads "@web (2)"). */
  async filterGroup(label: string): Promise<void> {
    await this.page.getByTestId('hosts-groups').getByRole('button', { name: label }).click();
  }
}
