import { Suspense, useEffect } from 'react';
import {
  Alert,
  FormSelect,
  FormSelectOption,
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadMain,
  MastheadToggle,
  Nav,
  NavItem,
  NavList,
  Page,
  PageSidebar,
  PageSidebarBody,
  PageToggleButton,
  Skeleton,
  SkipToContent,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarGroup,
  ToolbarItem,
} from '@patternfly/react-core';
import MoonIcon from '@patternfly/react-icons/dist/esm/icons/moon-icon';
import SunIcon from '@patternfly/react-icons/dist/esm/icons/sun-icon';
import { AboutButton } from './AboutDialog';
import { ConnectionBanner } from './ConnectionBanner';
import { PageBoundary, retryableLazy } from './PageBoundary';
import { ChangeRouteContext, WritesOffNotice } from './capabilities';
import type { ChangeRoute } from '../../../shared/hosts/capabilities';
import { FirewalldStatus } from './FirewalldStatus';
import { HostContext } from './host-store';
import { startAppStore, useAppStore } from './store';
import { loadPage, type PageId } from './route';
import { CurrentHost } from '../hosts/CurrentHost';
import { startHostsStore } from '../hosts/store';

const load = loadPage;
// Retryable: a chunk that failed to arrive (the server went away meanwhile) is asked for again.
const FirewallPage = retryableLazy(load.firewall);
const DnsPage = retryableLazy(load.dns);
const KernelPage = retryableLazy(load.kernel);
const ComparePage = retryableLazy(load.compare);
const HostsPage = retryableLazy(load.hosts);
const HistoryPage = retryableLazy(load.history);

/** `changes`: the route the page's changes take (capabilities decide per route whether they are on). */
const pages: { id: PageId; title: string; changes?: ChangeRoute; lazy: ReturnType<typeof retryableLazy> }[] = [
  { id: 'firewall', title: 'Firewall', changes: 'firewall', lazy: FirewallPage },
  { id: 'dns', title: 'DNS', lazy: DnsPage },
  { id: 'kernel', title: 'Kernel', lazy: KernelPage },
  { id: 'compare', title: 'Compare', lazy: ComparePage },
  { id: 'history', title: 'History', lazy: HistoryPage },
  { id: 'hosts', title: 'Hosts', lazy: HostsPage },
];

function HostSelector() {
  const hosts = useAppStore((s) => s.hosts);
  const hostId = useAppStore((s) => s.hostId);
  const setHost = useAppStore((s) => s.setHost);
  if (hosts.state === 'loading' || hosts.state === 'idle') return <Skeleton width="10rem" screenreaderText="Loading hosts" />;
  if (hosts.state === 'error') {
    return <Alert isInline isPlain variant="danger" title={`Hosts unavailable: ${hosts.message}`} data-testid="hosts-error" />;
  }
  return (
    <FormSelect
      value={hostId}
      onChange={(_e, v) => setHost(v)}
      aria-label="Host"
      data-testid="host-selector"
      className="hd-host-select"
    >
      {hosts.value.map((h) => (
        <FormSelectOption key={h.id} value={h.id} label={h.readOnly ? `${h.label} (read-only)` : h.label} />
      ))}
    </FormSelect>
  );
}

function ThemeToggle() {
  const theme = useAppStore((s) => s.theme);
  const setTheme = useAppStore((s) => s.setTheme);
  return (
    <ToggleGroup aria-label="Theme" data-testid="theme-toggle">
      <ToggleGroupItem icon={<SunIcon />} aria-label="Light theme" isSelected={theme === 'light'} onChange={() => setTheme('light')} />
      <ToggleGroupItem icon={<MoonIcon />} aria-label="Dark theme" isSelected={theme === 'dark'} onChange={() => setTheme('dark')} />
    </ToggleGroup>
  );
}

export function App() {
  const page = useAppStore((s) => s.page);
  const setPage = useAppStore((s) => s.setPage);
  const theme = useAppStore((s) => s.theme);
  const hostId = useAppStore((s) => s.hostId);

  useEffect(() => startAppStore(), []);
  useEffect(() => startHostsStore(), []);
  useEffect(() => {
    // PatternFly 6 switches every token to its dark values with this class on <html>.
    document.documentElement.classList.toggle('pf-v6-theme-dark', theme === 'dark');
  }, [theme]);

  const masthead = (
    <Masthead>
      <MastheadMain>
        <MastheadToggle>
          <PageToggleButton isHamburgerButton aria-label="Navigation" />
        </MastheadToggle>
        <MastheadBrand>
          <span className="hd-brand" data-testid="brand">HostDeck</span>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarGroup>
              <ToolbarItem>
                <HostSelector />
              </ToolbarItem>
              <ToolbarItem>
                <CurrentHost />
              </ToolbarItem>
              <ToolbarItem>
                <FirewalldStatus />
              </ToolbarItem>
            </ToolbarGroup>
            <ToolbarGroup align={{ default: 'alignEnd' }}>
              <ToolbarItem>
                <ThemeToggle />
              </ToolbarItem>
              <ToolbarItem>
                <AboutButton />
              </ToolbarItem>
            </ToolbarGroup>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );

  const sidebar = (
    <PageSidebar>
      <PageSidebarBody>
        <Nav aria-label="Sections">
          <NavList>
            {pages.map((p) => (
              // A real link (href): focusable, Enter follows it, and the hash route picks the page.
              <NavItem key={p.id} itemId={p.id} to={`#/${p.id}`} isActive={page === p.id} onClick={() => setPage(p.id)} onMouseEnter={() => void load[p.id]().catch(() => undefined)} onFocus={() => void load[p.id]().catch(() => undefined)} data-testid={`nav-${p.id}`}>
                {p.title}
              </NavItem>
            ))}
          </NavList>
        </Nav>
      </PageSidebarBody>
    </PageSidebar>
  );

  const current = pages.find((p) => p.id === page) ?? pages[0]!;
  return (
    <Page
      masthead={masthead}
      sidebar={sidebar}
      isManagedSidebar
      mainContainerId="hd-main-content"
      skipToContent={
        // The hash is the page route: move focus to the content without touching it.
        <SkipToContent
          href="#hd-main-content"
          onClick={(e) => {
            e.preventDefault();
            document.getElementById('hd-main-content')?.focus();
          }}
        >
          Skip to content
        </SkipToContent>
      }
    >
      {/* PatternFly's Page already renders the one <main> landmark around this. Keyed by host:
          switching hosts remounts the page, so nothing of the previous host lingers; the page's
          stores and API are the host's own (HostContext). */}
      <HostContext.Provider value={hostId}>
        <ChangeRouteContext.Provider value={current.changes ?? 'files'}>
          <div key={hostId} data-testid="page-main" data-page={current.id} data-host={hostId} className="hd-main">
            <ConnectionBanner />
            <WritesOffNotice />
            <PageBoundary key={current.id} title={current.title} onRetry={current.lazy.reset}>
              <Suspense fallback={<Skeleton height="12rem" screenreaderText={`Loading the ${current.title} page`} data-testid="page-loading" />}>
                <current.lazy.Page />
              </Suspense>
            </PageBoundary>
          </div>
        </ChangeRouteContext.Provider>
      </HostContext.Provider>
    </Page>
  );
}
