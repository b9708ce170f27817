export function KernelPage() {
  return <div data-testid="kernel-page" />;
}
