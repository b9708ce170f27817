import type { Locator, Page } from 'playwright-core';

/**
 * The offline Firewall page's ICMP type, helper and zone-rename controls
 * (renderer/src/firewall/components/OfflineKinds.tsx, OfflineZoneRename.tsx, OfflineObjectActions.tsx).
 */
export class OfflineKindsPanel {
  constructor(readonly page: Page) {}

  private id(id: string): Locator { return this.page.getByTestId(id); }

  // ICMP types
  get newIcmpTypeName(): Locator { return this.id('fw-new-icmptype-name'); }
  get newIcmpType(): Locator { return this.id('fw-new-icmptype'); }
  get icmpTypeEditor(): Locator { return this.id('fw-icmptype-editor'); }
  get icmpTypeShort(): Locator { return this.id('fw-icmptype-short'); }
  get icmpTypeIpv4(): Locator { return this.id('fw-icmptype-ipv4'); }
  get icmpTypeIpv6(): Locator { return this.id('fw-icmptype-ipv6'); }
  get icmpTypeSave(): Locator { return this.id('fw-icmptype-save'); }
  get deleteIcmpType(): Locator { return this.id('fw-offline-delete-icmptype'); }
  /** The ICMP type's row in the list. */
  icmpType(name: string): Locator { return this.id(`fw-icmptypes-${name}`); }

  // Helpers
  get newHelperName(): Locator { return this.id('fw-new-helper-name'); }
  get newHelperModule(): Locator { return this.id('fw-new-helper-module'); }
  get newHelperFamily(): Locator { return this.id('fw-new-helper-family'); }
  get newHelper(): Locator { return this.id('fw-new-helper'); }
  get helperEditor(): Locator { return this.id('fw-helper-editor'); }
  get helperPortInput(): Locator { return this.id('fw-add-helper-port-input'); }
  get addHelperPort(): Locator { return this.id('fw-add-helper-port'); }
  get helperSave(): Locator { return this.id('fw-helper-save'); }
  get deleteHelper(): Locator { return this.id('fw-offline-delete-helper'); }
  /** The helper's row in the list. */
  helper(name: string): Locator { return this.id(`fw-helpers-${name}`); }

  // Zone rename
  get zoneRename(): Locator { return this.id('fw-zone-rename'); }
  get zoneRenameForm(): Locator { return this.id('fw-zone-rename-form'); }
  get zoneRenameName(): Locator { return this.id('fw-zone-rename-name'); }
  /** "Also rename it in …" (policies and the default zone that name the zone). */
  get zoneRenameRefs(): Locator { return this.id('fw-zone-rename-refs'); }
  get zoneRenameOk(): Locator { return this.id('fw-zone-rename-ok'); }
}
