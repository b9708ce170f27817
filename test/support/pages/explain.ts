import type { Locator, Page } from 'playwright-core';

/** What the panel asks about a connection, by what a user calls each field. */
export interface ExplainQuestion {
  source?: string;
  destination?: string;
  protocol?: 'tcp' | 'udp' | 'sctp' | 'dccp' | 'icmp' | 'icmpv6' | '';
  port?: string;
  sourcePort?: string;
  icmpType?: string;
  /** Interface it arrives on: picked from the host's list or typed, as the panel offers. */
  arrivesOn?: string;
  leavesBy?: string;
  layer?: 'runtime' | 'permanent';
  /** How the question is sent: the Explain button (default) or Enter in the last field filled. */
  submit?: 'button' | 'enter';
}

/**
 * The Firewall page's "Will this connection pass?" panel: the question, the answer (verdict,
 * deciding element, path, what it depends on), the fixes it offers and the real-packet trace.
 */
export class ExplainPanel {
  constructor(readonly page: Page) {}

  get panel(): Locator { return this.page.getByTestId('fw-explain'); }
  get toggle(): Locator { return this.panel.getByRole('button', { name: 'Will this connection pass?' }); }
  get runButton(): Locator { return this.page.getByTestId('fw-explain-run'); }
  get answer(): Locator { return this.page.getByTestId('fw-explain-answer'); }
  get verdict(): Locator { return this.page.getByTestId('fw-explain-verdict'); }
  get decidedBy(): Locator { return this.page.getByTestId('fw-explain-decided'); }
  get zone(): Locator { return this.page.getByTestId('fw-explain-zone'); }
  get dependsOn(): Locator { return this.page.getByTestId('fw-explain-depends'); }
  get path(): Locator { return this.page.getByTestId('fw-explain-path'); }
  get pathToggle(): Locator { return this.page.getByTestId('fw-explain-path-toggle').getByRole('button').first(); }
  get fixes(): Locator { return this.page.getByTestId('fw-explain-fix'); }
  get fixesSection(): Locator { return this.page.getByTestId('fw-explain-fixes'); }
  get error(): Locator { return this.page.getByTestId('fw-explain-error'); }
  get result(): Locator { return this.page.getByTestId('fw-explain-result'); }
  get traceButton(): Locator { return this.page.getByTestId('fw-explain-trace'); }
  get arrivesOnField(): Locator { return this.page.getByTestId('fw-explain-iface'); }
  get portField(): Locator { return this.page.getByTestId('fw-explain-dport'); }
  get traceResult(): Locator { return this.page.getByTestId('fw-explain-trace-result'); }
  /** "Asked from denied packets": the panel was filled by another part of the page. */
  get askedFrom(): Locator { return this.page.getByTestId('fw-explain-from'); }

  /** The trace's result once the kernel's verdict is `verdict` and it agrees (or not) with the prediction. */
  traceWith(verdict: string, agrees = true): Locator {
    return this.page.locator(`[data-testid="fw-explain-trace-result"][data-verdict="${verdict}"][data-agrees="${agrees}"]`);
  }

  /** The answer once its verdict is `verdict` (accept, reject, drop, depends). */
  answerWith(verdict: string): Locator {
    return this.page.locator(`[data-testid="fw-explain-answer"][data-verdict="${verdict}"]`);
  }

  /** The offered fix whose summary is `summary`. */
  fix(summary: string): Locator {
    return this.page.locator(`[data-testid="fw-explain-fix"][data-fix=${JSON.stringify(summary)}]`);
  }

  async open(): Promise<void> {
    if ((await this.toggle.getAttribute('aria-expanded')) !== 'true') await this.toggle.click();
    await this.runButton.waitFor();
  }

  /** Fills the fields given (others keep their value) and asks. */
  async ask(q: ExplainQuestion): Promise<void> {
    await this.open();
    const fill = async (id: string, v: string | undefined) => {
      if (v !== undefined) await this.page.getByTestId(id).fill(v);
    };
    const pick = async (id: string, v: string | undefined) => {
      if (v === undefined) return;
      const el = this.page.getByTestId(id);
      if ((await el.evaluate((e) => e.tagName)) === 'SELECT') await el.selectOption(v);
      else await el.fill(v);
    };
    await fill('fw-explain-src', q.source);
    await fill('fw-explain-dst', q.destination);
    if (q.protocol !== undefined) await this.page.getByTestId('fw-explain-protocol').selectOption(q.protocol);
    await fill('fw-explain-dport', q.port);
    await fill('fw-explain-sport', q.sourcePort);
    await fill('fw-explain-icmp-type', q.icmpType);
    await pick('fw-explain-iface', q.arrivesOn);
    await pick('fw-explain-outIface', q.leavesBy);
    if (q.layer) await this.page.getByTestId('fw-explain-layer').selectOption(q.layer);
    if (q.submit === 'enter') await this.page.keyboard.press('Enter');
    else await this.runButton.click();
  }

  /** What the form asks now, by the same names as `ask` (the fields a flow leaves unknown are ''). */
  async question(): Promise<Required<Pick<ExplainQuestion, 'source' | 'destination' | 'protocol' | 'port' | 'arrivesOn' | 'layer'>>> {
    const value = (id: string) => this.page.getByTestId(id).inputValue();
    return {
      source: await value('fw-explain-src'),
      destination: await value('fw-explain-dst'),
      protocol: (await value('fw-explain-protocol')) as ExplainQuestion['protocol'] & string,
      port: (await this.portField.count()) ? await this.portField.inputValue() : '',
      arrivesOn: await value('fw-explain-iface'),
      layer: (await value('fw-explain-layer')) as 'runtime' | 'permanent',
    };
  }

  /** "Trace it for real" on the question asked last: one real packet through a copy of the host's rules. */
  async trace(): Promise<void> {
    await this.traceButton.click();
  }

  /** Stages the fix whose summary is `summary` as a pending change. */
  async addFix(summary: string): Promise<void> {
    await this.fix(summary).getByRole('button', { name: /Add to pending changes/ }).click();
  }
}
