/**
 * The command that runs the read agent on a host: python3 reading the program on stdin
 * (electron/hosts/ssh/agent-source.ts). -I: nothing of the login's environment or current
 * directory; -S: no site (the agent uses the standard library only; site costs ~5 ms a run, and
 * the one op that needs a site directory, busread's python3-dbus, adds them itself). The head
 * start (electron/hosts/head-start.ts) matches command lines exactly: this constant is the one.
 */
export const PYTHON3 = '/usr/bin/python3';
export const AGENT_COMMAND = `${PYTHON3} -I -S -`;
