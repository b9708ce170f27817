import '@patternfly/react-core/dist/styles/base.css';
import './app/app.css';
import { startFirstRead } from './app/first-read';

// The entry stays small: the opened page's chunk, the shell (React, PatternFly, zod and the
// contract) and the page's data are all asked for as soon as it runs, code first (first-read.ts),
// before any of them has arrived (issue #22).
startFirstRead(() => import('./app/render'));
