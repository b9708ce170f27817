export function FirewallPage() {
  return <div data-testid="firewall-page" />;
}
