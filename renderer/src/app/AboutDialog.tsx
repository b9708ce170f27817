import { useState } from 'react';
import { Button, Content, Modal, ModalBody, ModalFooter, ModalHeader, ModalVariant, Skeleton } from '@patternfly/react-core';
import QuestionCircleIcon from '@patternfly/react-icons/dist/esm/icons/question-circle-icon';
import { deckApi } from './api';

type Info = Awaited<ReturnType<typeof deckApi.app.info>>;

/** Help and About: the version (for bug reports), how HostDeck runs here, and where to read more. */
export function AboutButton() {
  const [open, setOpen] = useState(false);
  const [info, setInfo] = useState<Info | { error: string } | null>(null);
  const show = () => {
    setOpen(true);
    deckApi.app.info({}).then(setInfo, (e: Error) => setInfo({ error: e.message }));
  };
  return (
    <>
      <Button variant="plain" aria-label="Help and about HostDeck" icon={<QuestionCircleIcon />} onClick={show} data-testid="about-open" />
      {open && (
        <Modal isOpen variant={ModalVariant.medium} onClose={() => setOpen(false)} aria-labelledby="about-title" data-testid="about-dialog">
          <ModalHeader title="HostDeck" labelId="about-title" description="firewalld, resolv.conf and kernel parameters for Linux hosts and Kubernetes nodes" />
          <ModalBody>
            {!info ? (
              <Skeleton screenreaderText="Reading the version" />
            ) : 'error' in info ? (
              <p>Version unknown: {info.error}</p>
            ) : (
              <Content component="dl" data-testid="about-info">
                <dt>Version</dt>
                <dd data-testid="about-version">{info.version}</dd>
                <dt>Running as</dt>
                <dd>
                  {info.mode === 'browser' ? 'browser mode (hostdeck serve)' : info.mode === 'electron' ? 'desktop app' : info.mode}, {info.privileged ? 'root' : 'a user (changes go through the helper and polkit)'} on {info.platform}
                </dd>
              </Content>
            )}
            <Content component="h3">Help</Content>
            <Content component="ul">
              <li>Every page works on the host chosen at the top: this machine, a saved SSH host, or an imported snapshot (read-only).</li>
              <li>Kernel page: <kbd>/</kbd> searches, arrows move, <kbd>Enter</kbd> opens a parameter, <kbd>Escape</kbd> clears.</li>
              <li>The same operations from a terminal: <code>hostdeck --help</code>, <code>hostdeck kernel --help</code>, <code>hostdeck dns --help</code>, <code>hostdeck firewall --help</code>.</li>
              <li>Saving needs the helper; <code>hostdeck helper status</code> says what is missing and how to fix it.</li>
              <li>The README that comes with HostDeck describes each page, remote hosts, the helper and browser mode.</li>
            </Content>
          </ModalBody>
          <ModalFooter>
            <Button variant="primary" onClick={() => setOpen(false)} data-testid="about-close">
              Close
            </Button>
          </ModalFooter>
        </Modal>
      )}
    </>
  );
}
