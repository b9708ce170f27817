/** The command that runs the read agent on a host: python3 reading the program on stdin (electron/hosts/ssh/agent-source.ts). */
export const PYTHON3 = '/usr/bin/python3';
export const AGENT_COMMAND = `${PYTHON3} -I -`;
