/** The text of a sysctl.d profile HostDeck writes: one "key = value" per line, no inline comments (sysctl.d has none). */
export function formatProfile(settings: { key: string; value: string }[]): string {
  return `# Written by HostDeck. One "key = value" per line; later files in /etc/sysctl.d override earlier ones.\n${settings.map((s) => `${s.key} = ${s.value}`).join('\n')}\n`;
}
