export function ComparePage() {
  return <div data-testid="compare-page" />;
}
