/**
 * A read agent request as a session's program carries it (agent-source.ts agentProgram): the
 * base64 of its JSON, so that it can never end the Python string literal it sits in. Apart from
 * the agent's source so that the CLI's head start checks a guessed request before loading it.
 */

/** Whether `s` is base64 text (the only thing ever placed in a program as a request). */
export const isAgentPayload = (s: string): boolean => /^[A-Za-z0-9+/]*={0,2}$/.test(s);

/** The base64 form of a request, as agentProgram takes it. */
export const agentPayload = (request: unknown): string => Buffer.from(JSON.stringify(request), 'utf8').toString('base64');
