export { runHostdeck as runKernelCli } from '../../support/cli';
