import '@patternfly/react-core/dist/styles/base.css';
import './app/app.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startFirstRead } from './app/first-read';

// Before the first render: the opened page's data is on its way while its chunk loads.
startFirstRead();

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
