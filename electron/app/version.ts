import pkg from '../../package.json' with { type: 'json' };

export const hostdeckVersion: string = pkg.version;
