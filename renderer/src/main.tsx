import '@patternfly/react-core/dist/styles/base.css';
import './app/app.css';
import { startFirstRead } from './app/first-read';

// The entry stays small: the opened page's data and chunk are on their way before the shell
// (React, PatternFly, zod and the contract) has even been fetched, let alone run (issue #22).
startFirstRead();
void import('./app/render');
