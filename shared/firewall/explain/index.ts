export { explainFlow, clientSees, type ExplainOptions } from './explain';
export { fixFor, stateWith, type FixOffer } from './fix';
export * from './flow';
