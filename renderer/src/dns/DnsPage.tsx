export function DnsPage() {
  return <div data-testid="dns-page" />;
}
