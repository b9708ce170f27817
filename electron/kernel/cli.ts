import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { ApiError } from '../../shared/api/errors';
import { DEFAULT_IMAGE, EXPORT_PARTS } from '../../shared/kernel/export-parts';
import type { ExportPart } from '../../shared/kernel/export';
import { parseSysctlFile } from '../../shared/kernel/sysctld';
import { parseTunedSysctl } from '../../shared/kernel/tuned';
import { K8S_DEFAULT_VERSION, K8S_MAX_RELEASED_MINOR, K8S_MIN_MINOR, K8S_PRERELEASE_MINOR } from '../../shared/kernel/version';
import type { RegisterCommands } from '../cli/context';
import { registerProfileCommands } from './profile-cli';

interface TargetOpts {
  k8s: string;
  kernel?: string;
  podSecurity?: string;
  hostNetwork?: boolean;
  hostIpc?: boolean;
  json?: boolean;
  root?: string;
}

function target(o: TargetOpts) {
  return { k8s: o.k8s, kernel: o.kernel, podSecurityVersion: o.podSecurity, hostNetwork: o.hostNetwork, hostIPC: o.hostIpc };
}

function targetOptions(c: Command): Command {
  return c
    .option('--k8s <version>', `Kubernetes version of the kubelet (1.${K8S_MIN_MINOR} to 1.${K8S_MAX_RELEASED_MINOR}; 1.${K8S_PRERELEASE_MINOR} pre-release)`, K8S_DEFAULT_VERSION)
    .option('--kernel <version>', "node kernel version (default: this host's)")
    .option('--pod-security <version>', 'PodSecurity policy version of the namespace (v1.x or latest)')
    .option('--host-network', 'the pod uses hostNetwork')
    .option('--host-ipc', 'the pod uses hostIPC')
    .option('--json', 'print JSON');
}

/** Reads settings from a sysctl.d file or a TuneD profile (detected by its [sysctl] section). */
function settingsFromFile(file: string): { key: string; value: string }[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ApiError('IO_ERROR', `${file}: ${(e as Error).message}`);
  }
  if (/^\s*\[sysctl\]\s*$/m.test(text)) return parseTunedSysctl(text).settings;
  const parsed = parseSysctlFile(text, file);
  const bad = parsed.warnings.filter((w) => w.severity !== 'info');
  if (bad.length) throw new ApiError('PARSE_ERROR', bad.map((w) => `${w.file}:${w.line}: ${w.message}`).join('\n'));
  return parsed.assignments.filter((a) => a.value !== null).map((a) => ({ key: a.key, value: a.value! }));
}

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));

const CONFIRM_FLAG = '--confirm-weakening <keys>';
const CONFIRM_HELP = 'comma-separated keys whose security-weakening values you accept (exactly those the change weakens; without it HostDeck lists them and stops)';

/** "a,b c" -> ["a", "b", "c"]; undefined when the flag is absent. */
function confirmedKeys(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(/[\s,]+/).filter(Boolean);
}

/** NEEDS_CONFIRMATION with the command line's words: each key, what it weakens, the flag to add. */
function weakeningError(e: unknown): unknown {
  if (!(e instanceof ApiError) || e.code !== 'NEEDS_CONFIRMATION') return e;
  const weak = ((e.detail as { weakening?: { key: string; value: string; weakens: string }[] } | undefined)?.weakening ?? []);
  if (!weak.length) return e;
  return new ApiError(
    e.code,
    [
      'This change weakens security:',
      ...weak.map((w) => `  ${w.key} = ${w.value}: ${w.weakens}`),
      `To make it anyway, run it again with --confirm-weakening ${weak.map((w) => w.key).join(',')}`,
    ].join('\n'),
    e.detail,
  );
}

/** `hostdeck kernel ...` subcommands. */
export const registerKernelCommands: RegisterCommands = (program, cli) => {
  const kernel = program.command('kernel').description('Kernel parameters: live values, sysctl.d profiles, Kubernetes verdicts and snippets');

  targetOptions(kernel.command('list').description('Live values with namespace and Kubernetes verdict for this host')).action(cli.action(async (o: TargetOpts) => {
    const r = await cli.api().kernel.list(target(o));
    cli.print(r, !!o.json, (d) =>
      [
        `kernel ${d.kernel}, Kubernetes ${d.k8s}: ${d.entries.length} parameters`,
        ...d.entries.map(
          (e) =>
            `${pad(e.key, 48)} ${pad(e.state === 'ok' ? (e.value ?? '') : `<${e.state}${e.error ? ` ${e.error}` : ''}>`, 24)} ${pad(e.namespace ?? '-', 5)} ${e.status}${e.drift ? ' DRIFT' : ''}`,
        ),
      ].join('\n'),
    );
  }));

  targetOptions(kernel.command('classify').description('Namespace and Kubernetes verdict per key (dot or slash names)').argument('<keys...>', 'sysctl names')).action(
    cli.action(async (keys: string[], o: TargetOpts) => {
      const r = await cli.api().kernel.classify({ ...target(o), keys });
      cli.print(r, !!o.json, (d) =>
        d
          .map((c) =>
            [
              `${c.name}: ${c.kubernetes.status} (namespace ${c.namespace ?? 'none'}; PodSecurity baseline ${c.kubernetes.podSecurityBaseline}${c.kubernetes.safeSince ? `; safe since ${c.kubernetes.safeSince}` : ''}${c.kubernetes.minKernel ? `, kernel >= ${c.kubernetes.minKernel}` : ''})`,
              ...c.kubernetes.reasons.map((x) => `  - ${x}`),
              ...Object.entries(c.kubernetes.errors).map(([k, v]) => `  ${k}: ${v}`),
            ].join('\n'),
          )
          .join('\n'),
      );
    }),
  );

  kernel
    .command('effective')
    .description('Effective sysctl.d configuration of the host or of a root directory')
    .option('--root <dir>', 'read the files of another system (an image, a mounted disk)')
    .option('--json', 'print JSON')
    .action(cli.action(async (o: { root?: string; json?: boolean }) => {
      const r = await cli.api({ root: o.root }).kernel.effective({});
      const out = { files: r.files.filter((f) => f.status === 'applied').map((f) => f.path), allFiles: r.files, settings: r.settings.map((s) => ({ key: s.key, value: s.value, file: s.file, line: s.line, ...(s.glob ? { glob: s.glob } : {}) })), globs: r.globs, exclusions: r.exclusions, warnings: r.warnings.filter((w) => w.severity !== 'info'), drift: r.drift, liveSource: r.liveSource };
      cli.print(out, !!o.json, (d) =>
        [
          'Files, in order:',
          ...d.allFiles.map((f) => `  ${f.path}${f.status === 'applied' ? '' : ` (${f.status}${f.by ? ` by ${f.by}` : ''}${f.error ? `: ${f.error}` : ''})`}`),
          'Settings:',
          ...d.settings.map((s) => `  ${s.key} = ${s.value}    (${s.file}:${s.line})`),
          ...(d.warnings.length ? ['Warnings:', ...d.warnings.map((w) => `  ${w.file}:${w.line}: ${w.message}`)] : []),
          ...(d.drift.length ? [`Drift (live differs from configured)${d.liveSource.note ? `. ${d.liveSource.note}` : ''}:`, ...d.drift.map((x) => `  ${x.key}: configured ${x.configured}, live ${x.live ?? 'missing'}`)] : []),
        ].join('\n'),
      );
    }));

  targetOptions(
    kernel
      .command('export')
      .description('Pod, kubelet or node snippets for the sysctls of a sysctl.d file or TuneD profile: one YAML stream (`| kubectl apply -f -`), or one artefact with --part')
      .argument('<kind>', 'pod | kubelet | node | sandbox (Alibaba Cloud ACK secure-sandbox pods)')
      .requiredOption('--from <file>', 'sysctl.d file or TuneD profile with the settings')
      .addOption(new Option('--part <part>', 'print only this artefact, as is').choices(EXPORT_PARTS.filter((p) => p !== 'tuned.conf')))
      .option('--namespace <name>', 'namespace of the Pod/Deployment (default: none, or the pod name when it needs PodSecurity privileged)')
      .option('--pod-name <name>', 'name of the Pod/Deployment (default: from the file name)')
      .option('--image <ref>', `container image of the Pod/Deployment (default: the placeholder ${DEFAULT_IMAGE})`),
  ).action(cli.action(async (kind: string, o: TargetOpts & { from: string; part?: ExportPart; namespace?: string; podName?: string; image?: string }) => {
    if (kind !== 'pod' && kind !== 'kubelet' && kind !== 'node' && kind !== 'sandbox') throw new ApiError('INVALID_INPUT', `Unknown export "${kind}": use pod, kubelet, node or sandbox`);
    const settings = settingsFromFile(o.from);
    if (!settings.length) throw new ApiError('INVALID_INPUT', `${o.from} sets no sysctl`);
    const r = await cli.api().kernel.export({ ...target(o), kind, settings, name: path.basename(o.from), namespace: o.namespace, podName: o.podName, image: o.image });
    if (o.json) {
      cli.print(r, true, () => '');
      return;
    }
    // What the output leaves out must reach the user even when stdout goes to kubectl.
    for (const p of r.problems) cli.warnPiped(`${p.severity}: ${p.message}`);
    for (const x of r.omitted) cli.warnPiped(`left out: ${x.reason}`);
    // The YAML writer comes with the export, not with every kernel command (issue #22).
    const { exportPart, exportStream } = await import('../../shared/kernel/export');
    if (o.part) {
      const text = exportPart(r, o.part);
      if (text === null) {
        const has = r.documents.map((d) => d.part);
        throw new ApiError('INVALID_INPUT', `The ${kind} export has no part "${o.part}"${has.length ? `: it has ${has.join(', ')}` : ' (it exports nothing for these settings)'}`);
      }
      cli.print(text, false, (t) => t);
      return;
    }
    cli.print(r, false, (d) => exportStream(d));
  }));

  kernel
    .command('apply')
    .description("Write the sysctls of a sysctl.d file or TuneD profile to the live kernel now, through HostDeck's helper (as root directly; as a user pkexec asks for authorization; on an SSH host root or sudo -n); prints the previous values for undo")
    .requiredOption('--from <file>', 'sysctl.d file or TuneD profile with the settings')
    .option('--dry-run', 'only show what would change')
    .option('--revert-after <seconds>', 'revert unless confirmed (`hostdeck helper confirm ID`) within this many seconds; the timer survives HostDeck exiting')
    .option(CONFIRM_FLAG, CONFIRM_HELP)
    .option('--json', 'print JSON (save it: `kernel undo --from` takes it)')
    .action(cli.action(async (o: { from: string; dryRun?: boolean; json?: boolean; revertAfter?: string; confirmWeakening?: string }) => {
      const settings = settingsFromFile(o.from);
      if (!settings.length) throw new ApiError('INVALID_INPUT', `${o.from} sets no sysctl`);
      const revertAfterSeconds = o.revertAfter === undefined ? undefined : Number(o.revertAfter);
      if (revertAfterSeconds !== undefined && !(Number.isInteger(revertAfterSeconds) && revertAfterSeconds >= 5 && revertAfterSeconds <= 3600)) {
        throw new ApiError('INVALID_INPUT', `--revert-after takes whole seconds from 5 to 3600, not "${o.revertAfter}"`);
      }
      const r = await cli.api().kernel.apply({ settings, dryRun: !!o.dryRun, revertAfterSeconds, confirmWeakening: confirmedKeys(o.confirmWeakening) });
      cli.print(r, !!o.json, (d) =>
        [
          ...(d.dryRun && d.weakening.length
            ? ['Weakens security (apply needs --confirm-weakening ' + d.weakening.map((w) => w.key).join(',') + '):', ...d.weakening.map((w) => `  ${w.key} = ${w.value}: ${w.weakens}`)]
            : []),
          ...d.results.map(
            (x) =>
              `${pad(x.key, 44)} ${x.outcome === 'failed' ? `FAILED ${x.error?.message ?? ''}` : x.outcome === 'unchanged' ? `unchanged (${x.previous ?? ''})` : `${x.previous ?? '?'} -> ${x.outcome === 'applied' ? (x.readBack ?? x.value) : x.value}${x.outcome === 'planned' ? ' (dry run)' : ''}`}`,
          ),
          `${d.summary.applied} applied, ${d.summary.planned} would change, ${d.summary.unchanged} unchanged, ${d.summary.failed} failed`,
          ...(d.revert ? [`Reverts at ${new Date(d.revert.deadlineMs).toISOString()} unless confirmed: hostdeck helper confirm ${d.revert.id}`] : []),
        ].join('\n'),
      );
      if (r.summary.failed) process.exitCode = 1;
    }, weakeningError));

  registerProfileCommands(kernel, cli, settingsFromFile);

  kernel
    .command('undo')
    .description('Restore the previous values recorded by `kernel apply --json` (keys changed since are left alone unless --force)')
    .requiredOption('--from <file>', 'the JSON printed by `kernel apply --json`')
    .option('--force', 'restore even keys someone changed after the apply')
    .option(CONFIRM_FLAG, CONFIRM_HELP)
    .option('--json', 'print JSON')
    .action(cli.action(async (o: { from: string; force?: boolean; json?: boolean; confirmWeakening?: string }) => {
      let entries: { key: string; previous: string; applied: string | null }[];
      try {
        const j = JSON.parse(readFileSync(o.from, 'utf8')) as { undo?: typeof entries };
        entries = Array.isArray(j) ? (j as typeof entries) : (j.undo ?? []);
      } catch (e) {
        throw new ApiError('PARSE_ERROR', `${o.from}: not the JSON of \`kernel apply --json\` (${(e as Error).message})`);
      }
      if (!entries.length) throw new ApiError('INVALID_INPUT', `${o.from} records no change to undo`);
      const r = await cli.api().kernel.undo({ entries, force: !!o.force, confirmWeakening: confirmedKeys(o.confirmWeakening) });
      cli.print(r, !!o.json, (d) => d.results.map((x) => `${pad(x.key, 44)} ${x.outcome}${x.error ? `: ${x.error.message}` : ''}`).join('\n'));
      if (r.results.some((x) => x.outcome === 'failed' || x.outcome === 'conflict')) process.exitCode = 1;
    }, weakeningError));
};
