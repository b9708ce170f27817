/**
 * The files HostDeck hands Ansible for `hostdeck snapshot --inventory` (written to a private
 * temporary directory for each run): the read bundle appended to the read agent, the stdout
 * callback that reports each host as it finishes, and the play.
 */

/** Appended to the read agent: bundle(plan) answers a fixed plan of reads, /proc/sys and describe in one run. */
export const BUNDLE_PY = String.raw`# HostDeck read bundle: appended to the read agent (hostdeck-agent.py, after the shared rules),
# it answers a fixed plan of reads in one run, for a host reached through Ansible (one task per
# host). Read-only, like the agent: it never writes and never runs a program.


def bundle(plan):
    records = []

    def do(req):
        fact = read_one(req)
        records.append({'req': req, 'fact': fact})
        return fact

    for step in plan.get('steps', []):
        if 'read' in step:
            do(step['read'])
            continue
        ex = step.get('expand') or {}
        listing = do(ex.get('listing') or {})
        if listing.get('type') == 'missing' or listing.get('entries') is None:
            continue
        base = listing.get('resolved') or listing.get('path') if ex.get('base') == 'resolved' else listing.get('path')
        names = [e['name'] for e in listing['entries']]
        if ex.get('max'):
            names = names[:ex['max']]
        for name in names:
            if ex.get('suffix') and not name.endswith(ex['suffix']):
                continue
            if ex.get('skipDot') and name.startswith('.'):
                continue
            for sub in ex.get('sub') or [None]:
                req = dict(ex.get('template') or {})
                req['path'] = base.rstrip('/') + '/' + name + ('/' + sub if sub else '')
                do(req)
    answer = {'protocol': AGENT_PROTOCOL, 'result': {
        'describe': describe(plan.get('describe') or {}),
        'procsys': procsys(),
        'records': records,
    }}
    sys.stdout.write(json.dumps(answer, separators=(',', ':')))
    sys.stdout.flush()
`;

/** Ansible stdout callback "hostdeck": one JSON line per host result. */
export const CALLBACK_PY = String.raw`# HostDeck's stdout callback for its snapshot play: one JSON line per host and task result, as
# soon as the host finishes (per-host progress), nothing else on stdout.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
import sys

from ansible.plugins.callback import CallbackBase

DOCUMENTATION = '''
    name: hostdeck
    type: stdout
    short_description: one JSON line per host result (HostDeck snapshot play)
    description: one JSON line per host result, for HostDeck's snapshot play
'''


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'hostdeck'

    def _emit(self, status, result):
        r = result._result
        line = {'host': result._host.get_name(), 'status': status}
        if status == 'ok':
            line['stdout'] = r.get('stdout', '')
        else:
            msg = r.get('msg') or ''
            err = r.get('stderr') or r.get('module_stderr') or ''
            line['msg'] = ('%s %s' % (msg, err)).strip()[-2000:]
            line['rc'] = r.get('rc')
        sys.stdout.write(json.dumps(line) + '\n')
        sys.stdout.flush()

    def v2_runner_on_ok(self, result):
        self._emit('ok', result)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._emit('failed', result)

    def v2_runner_on_unreachable(self, result):
        self._emit('unreachable', result)

    def v2_playbook_on_no_hosts_matched(self):
        sys.stdout.write(json.dumps({'status': 'no-hosts'}) + '\n')
        sys.stdout.flush()
`;

/** The play: read-only, one task per host; become only where the inventory sets it. */
export const PLAY_YML = String.raw`# HostDeck's snapshot play: read-only. One task per host runs HostDeck's read agent
# (python3 -I -S -, the program on stdin: with pipelining nothing is written on the host).
# become is not set here: the inventory's ansible_become decides, host by host.
- name: HostDeck snapshot (read-only)
  hosts: all
  gather_facts: false
  tasks:
    - name: HostDeck read agent
      ansible.builtin.command:
        argv: [/usr/bin/python3, -I, -S, -]
        stdin: "{{ lookup('ansible.builtin.file', hostdeck_agent_program) }}"
        stdin_add_newline: true
      changed_when: false
`;
